/**
 * The keys of each object of our trust bundle format. Anything else is refused with the nearest
 * valid key named (validate.ts expectKnownKeys). The format grows by adding keys here.
 */
export const BUNDLE_KEYS = {
  root: ['version', 'issuedAt', 'dcc', 'shc', 'declaration', 'status'],
  dcc: ['signers', 'rules', 'valueSets'],
  dccSigner: ['kid', 'country', 'certificate'],
  issuersSection: ['issuers'],
  shcIssuer: ['iss', 'name', 'jwks'],
  declarationIssuer: ['kid', 'name', 'jwk'],
  status: ['entries'],
  statusEntry: ['id', 'status', 'until'],
} as const satisfies Record<string, readonly string[]>;

