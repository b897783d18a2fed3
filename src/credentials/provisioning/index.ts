/** CKP1 provisioning cards: issuing (central server) and verification (kiosk). Never a check-in. */
export { CKP1_PREFIX, CKP1_CLOCK_SKEW_MS, DEFAULT_CARD_TTL_HOURS, PROVISIONING_LIMITS } from './types.js';
export type { CardCheck, CardRefusal, CardRootKey, ProvisioningCard, VerifiedCard } from './types.js';
export { issueProvisioningCard } from './issue.js';
export { isProvisioningCard, verifyProvisioningCard } from './verify.js';
export type { CardVerifyOptions } from './verify.js';
export { readProvisioning } from './schema.js';
