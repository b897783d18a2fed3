/** CKD1 signed entry declarations (docs/FORMATS.md): verification and issuing. */
import type { CredentialFormat } from '../types.js';
import { CKD1_PREFIX } from './types.js';
import { hasPrefixAnyCase } from '../base45-prefix.js';
import { verifyDeclaration } from './verify.js';

export const declarationFormat: CredentialFormat = {
  id: 'ckd1',
  // Any letter case: verifyDeclaration then says the case is wrong instead of an unknown format.
  detect: (text) => hasPrefixAnyCase(text, CKD1_PREFIX),
  verify: (text, ctx) => verifyDeclaration(text, ctx),
};

export { CKD1_PREFIX, DECLARATION_LIMITS, MAX_VALID_HOURS } from './types.js';
export type { Declaration, DeclarationIdType, TestResult } from './types.js';
export { DEFAULT_VALID_HOURS, declarationKid, issueDeclaration } from './issue.js';
export { verifyDeclaration } from './verify.js';
export { readDeclaration } from './schema.js';
