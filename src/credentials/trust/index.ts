/** Trust bundle: loading, indexing and the signed envelope (docs/TRUST-BUNDLE.md). */
export { TrustBundleError } from './errors.js';
export { TRUST_LIMITS, parseTrustBundle, readTrustFile } from './load.js';
export { generateRootKey, publicJwkOf, signTrustBundle, verifySignedTrustBundle } from './envelope.js';
export { ecJwkThumbprint, kidOfDer, kidOfPublicKey } from './kid.js';
export { EMPTY_TRUST } from './types.js';
export type { DccSigner, DeclarationIssuer, ShcIssuer, TrustIndex } from './types.js';
