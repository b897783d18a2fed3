/**
 * The credential formats the kiosk understands. Adding a format: one folder under
 * src/credentials/ exporting a CredentialFormat, plus one entry here. Order matters only for
 * formats whose detect() could both match: prefixed formats come first, the unprefixed identity
 * documents last.
 */
import type { CredentialFormat } from './types.js';
import { dccFormat } from './dcc/index.js';
import { shcFormat } from './shc/index.js';
import { declarationFormat } from './declaration/index.js';
import { cccdFormat } from './cccd/index.js';
import { vnqrFormat } from './vnqr/index.js';

export const DEFAULT_FORMATS: readonly CredentialFormat[] = [dccFormat, shcFormat, declarationFormat, cccdFormat, vnqrFormat];

export function detectFormat(formats: readonly CredentialFormat[], text: string): CredentialFormat | undefined {
  for (const format of formats) if (format.detect(text)) return format;
  return undefined;
}
