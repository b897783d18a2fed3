/** SMART Health Cards (docs/FORMATS.md). */
import type { CredentialFormat } from '../types.js';
import { hasShcPrefix } from './numeric.js';
import { verifyShc } from './verify.js';

export const shcFormat: CredentialFormat = {
  id: 'shc',
  detect: (text) => hasShcPrefix(text),
  verify: (text, ctx) => verifyShc(text, ctx),
};

export { SHC_PREFIX, decodeShcNumeric, encodeShcNumeric } from './numeric.js';
export { verifyShc } from './verify.js';
export { issueShc, issueShcChunks, shcPayload, signShcJws } from './issue.js';
export { assembleShcChunks, readShcChunk, splitShcJws, ShcChunkSet } from './chunks.js';
export type { ShcClaims } from './issue.js';
