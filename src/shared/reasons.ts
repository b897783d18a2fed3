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

export type FixedReason = (typeof REASON_CODES)[number];
export type ReasonCode = FixedReason | `rule-failed:${string}` | `status:${string}`;

export function isReasonCode(value: string): value is ReasonCode {
  return (
    (REASON_CODES as readonly string[]).includes(value) ||
    /^rule-failed:[\w.-]{1,64}$/.test(value) ||
    /^status:[\w.-]{1,32}$/.test(value)
  );
}
