/**
 * Reason codes (docs/POLICY.md, contract: extend only). A verdict carries one or more of these.
 * `rule-failed:<ruleId>` and `status:<status>` are parameterised.
 */
export const REASON_CODES = [
  'unreadable',
  'unknown-format',
  'too-large',
  'bad-signature',
  'unknown-signer',
  'signer-not-allowed',
  'expired',
  'not-yet-valid',
  'schema-invalid',
  'revoked',
  'inconsistent-id',
  'symptoms',
  'exposure',
  'positive-test',
  'identity-only',
  'duplicate',
  // Added with the DCC content checks: a vaccination certificate for a dose before the last of its
  // series (dn < sd). A finding (refer-class), like positive-test.
  'incomplete-series',
] as const;

/**
 * Reasons that say the credential was not read, or not shown to be what it claims, so it identified
 * nobody: an officer's override of such a check-in is about the person in front of them then, and a
 * later reading of the same text does not inherit it (core/pipeline.ts, the duplicate window).
 */
export const UNIDENTIFIED_REASONS: readonly ReasonCode[] = ['unreadable', 'unknown-format', 'too-large', 'bad-signature', 'unknown-signer', 'signer-not-allowed'];

export type FixedReason = (typeof REASON_CODES)[number];
export type ReasonCode = FixedReason | `rule-failed:${string}` | `status:${string}`;

export function isReasonCode(value: string): value is ReasonCode {
  return (
    (REASON_CODES as readonly string[]).includes(value) ||
    /^rule-failed:[\w.-]{1,64}$/.test(value) ||
    /^status:[\w.-]{1,32}$/.test(value)
  );
}

/**
 * The reasons an officer's override gives its new verdict (the check-in keeps the scan's own
 * reasons beside it, and the central server its override history): an accept has none (the
 * officer cleared what the kiosk found); a refer or reject keeps the reasons the check-in stood
 * at (the officer's words are in the override's `reason`).
 */
export function reasonsAfterOverride(verdict: 'accept' | 'refer' | 'reject', current: readonly ReasonCode[]): ReasonCode[] {
  return verdict === 'accept' ? [] : [...current];
}
