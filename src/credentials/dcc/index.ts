/**
 * The EU Digital COVID Certificate format (`HC1:`), docs/FORMATS.md.
 */
import type { CredentialFormat } from '../types.js';
import { HC1_PREFIX } from './decode.js';
import { hasPrefixAnyCase } from '../base45-prefix.js';
import { verifyDcc } from './verify.js';
import type { DccVerifyOptions } from './verify.js';

export function createDccFormat(opts: DccVerifyOptions = {}): CredentialFormat {
  return {
    id: 'dcc',
    // Any letter case: decodeHc1 then says the case is wrong instead of an unknown format.
    detect: (text) => hasPrefixAnyCase(text, HC1_PREFIX),
    verify: (text, ctx) => verifyDcc(text, ctx, opts),
  };
}

export const dccFormat: CredentialFormat = createDccFormat();

export { verifyDcc } from './verify.js';
export type { DccVerifyOptions } from './verify.js';
export { decodeHc1, extractDccSignatureInput, HC1_PREFIX } from './decode.js';
export type { DccSignatureInput } from './decode.js';
export { evaluateRule, evaluateRules, selectRules, ruleDescription } from './rules.js';
export type { DccRule, RuleExternal, RuleOutcome } from './rules.js';
export { validateDccSchema } from './schema.js';
export type { DccGroup, SchemaResult } from './schema.js';
