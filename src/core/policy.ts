/**
 * Checkpoint policy: turns a verification result plus status-list hits into a verdict.
 * The default (docs/POLICY.md): valid signed credential → accept; consistent identity-only →
 * accept with `identity-only`; malformed/forged/expired/unknown → reject; health findings or a
 * status-list hit → refer.
 */
import type { ReasonCode } from '../shared/reasons.js';
import type { StatusEntry } from '../shared/trust.js';
import type { FormatId, VerdictKind } from '../shared/types.js';
import { DEFAULT_TEST_MAX_AGE_HOURS, type VerifyResult } from '../credentials/types.js';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../credentials/time-rules.js';

export type Action = VerdictKind;

export interface Policy {
  /** Formats this scan point accepts at all; anything else is rejected as `unknown-format`. */
  acceptFormats: FormatId[];
  /** What a consistent identity-only credential (CCCD, unified QR) gets. */
  identityOnly: Action;
  /** Checkpoints that require a signed declaration refer identity-only credentials. */
  declarationRequired: boolean;
  /** What symptoms / exposure / a positive test on a valid credential get. */
  healthFindings: Action;
  /** Status-list hit → action, by status; `*` is the fallback. */
  statusActions: Record<string, Action>;
  /** A re-read of the same credential at the same device and direction within this window, with the same verdict, is a duplicate (docs/POLICY.md). */
  duplicateWindowMinutes: number;
  /**
   * Clock-skew tolerance of every time check (seconds, 0..86400): token exp/nbf/iat, certificate
   * validity, DCC dates, the trust bundle's issuedAt. Default 300.
   */
  clockSkewSeconds: number;
  /** A DCC test whose sample was taken longer ago than this (hours) is `expired`. Default 72. */
  testMaxAgeHours: number;
}

export const DEFAULT_POLICY: Policy = {
  acceptFormats: ['dcc', 'shc', 'ckd1', 'cccd', 'vnqr'],
  identityOnly: 'accept',
  declarationRequired: false,
  healthFindings: 'refer',
  statusActions: { '*': 'refer' },
  duplicateWindowMinutes: 5,
  clockSkewSeconds: DEFAULT_CLOCK_SKEW_SECONDS,
  testMaxAgeHours: DEFAULT_TEST_MAX_AGE_HOURS,
};

const SEVERITY: Record<VerdictKind, number> = { accept: 0, refer: 1, reject: 2 };

function worst(a: VerdictKind, b: VerdictKind): VerdictKind {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

export interface Decision {
  verdict: VerdictKind;
  reasons: ReasonCode[];
}

/**
 * The status-list word that withdraws the credential itself (a DCC's `ci`, a declaration id, an
 * ID number of a card reported lost): its hit is the reason `revoked`, not `status:revoked`.
 */
export const REVOKED_STATUS = 'revoked';

/**
 * The verdict for a verified reading (docs/POLICY.md): any failure rejects with the failures; else
 * identity-only, health findings and status-list hits each add their reason, and the verdict is
 * the worst action the policy gives them (accept < refer < reject).
 */
export function decide(result: VerifyResult, statusHits: readonly StatusEntry[], policy: Policy): Decision {
  if (result.failures.length > 0) return { verdict: 'reject', reasons: dedupe(result.failures) };
  if (!policy.acceptFormats.includes(result.format)) return { verdict: 'reject', reasons: ['unknown-format'] };

  let verdict: VerdictKind = 'accept';
  const reasons: ReasonCode[] = [];
  if (result.identityOnly) {
    reasons.push('identity-only');
    verdict = worst(verdict, policy.declarationRequired ? worst(policy.identityOnly, 'refer') : policy.identityOnly);
  }
  for (const finding of result.findings) {
    reasons.push(finding);
    verdict = worst(verdict, policy.healthFindings);
  }
  for (const hit of statusHits) {
    if (hit.status === REVOKED_STATUS) {
      // The credential or card itself is withdrawn (lost, stolen, issued in error): the contract's
      // own reason, and a reject unless the policy names `revoked` itself (`*` does not soften it).
      reasons.push('revoked');
      verdict = worst(verdict, Object.hasOwn(policy.statusActions, REVOKED_STATUS) ? policy.statusActions[REVOKED_STATUS]! : 'reject');
      continue;
    }
    reasons.push(`status:${hit.status}`);
    verdict = worst(verdict, statusAction(policy.statusActions, hit.status));
  }
  return { verdict, reasons: reasons.length <= 1 ? reasons : dedupe(reasons) };
}

/**
 * The action for one status-list status: the policy's own entry for it, else `*`, else `refer`.
 * Only own entries count: a status named like an Object.prototype member (`constructor`,
 * `toString`, `__proto__`, all valid status words) must not find the inherited function and
 * fall through to `accept`.
 */
function statusAction(actions: Record<string, Action>, status: string): Action {
  if (Object.hasOwn(actions, status)) return actions[status]!;
  if (Object.hasOwn(actions, '*')) return actions['*']!;
  return 'refer';
}

/** The distinct items in first-seen order (a loop: the lists are a few items, on every scan). */
function dedupe<T>(items: readonly T[]): T[] {
  // One item (the usual identity-only or single-failure case) is distinct already.
  if (items.length <= 1) return items.slice();
  const out: T[] = [];
  for (const item of items) if (!out.includes(item)) out.push(item);
  return out;
}
