/**
 * The credential-format contract. Adding a format = one folder under src/credentials/ exporting
 * a CredentialFormat, plus one line in src/credentials/registry.ts.
 */
import type { ReasonCode } from '../shared/reasons.js';
import type { DisplayLine, FormatId, Subject } from '../shared/types.js';
import type { TrustIndex } from './trust/types.js';
import type { TimeRules } from './time-rules.js';
import type { DedupText } from './dedup-text.js';

/** Hard bounds on untrusted input (docs/FORMATS.md). */
export const LIMITS = {
  /** Largest QR code text (version 40, alphanumeric). */
  maxTextChars: 4296,
  /** Largest inflated payload (zlib bombs exist). */
  maxInflatedBytes: 64 * 1024,
} as const;

export interface VerifyContext {
  /** The validation clock: certificates and declarations are checked against this instant. */
  now: Date;
  trust: TrustIndex;
  /** Clock-skew tolerance for every time check (policy `clockSkewSeconds`); default 300 s. */
  time?: TimeRules;
  /** Oldest DCC test sample accepted, hours before the validation clock (policy `testMaxAgeHours`); default 72. */
  testMaxAgeHours?: number;
  /**
   * The bound on this text, in characters: LIMITS.maxTextChars (the default) for one QR code; N
   * times that for a SMART Health Card assembled from its N chunks (shc/chunks.ts), the only
   * text made of several QR codes.
   */
  maxTextChars?: number;
}

/** Default of VerifyContext.testMaxAgeHours: Viet Nam's 2021 rule (a negative test within 72 hours). */
export const DEFAULT_TEST_MAX_AGE_HOURS = 72;

/** One step of verification, for `verify --explain` and the technician screen. */
export interface VerifyStep {
  step: string;
  ok: boolean;
  detail?: string;
}

export interface VerifyResult {
  format: FormatId;
  /**
   * Reasons the credential is not valid (malformed, forged, expired, unknown signer, rule failed,
   * inconsistent id): reject-class. Empty when the credential is valid.
   */
  failures: ReasonCode[];
  /** Health findings on a valid credential (symptoms, exposure, positive-test): refer-class. */
  findings: ReasonCode[];
  /** True for unsigned identity documents (CCCD, unified QR). */
  identityOnly: boolean;
  subject: Subject;
  /** Keys to look up in the trust bundle's status list (ID number, QID, declaration id). */
  statusKeys: string[];
  steps: VerifyStep[];
  /** Short description for the screen. */
  title?: string;
  details?: DisplayLine[];
  /** Human-readable explanations (e.g. the description of a failed business rule). */
  messages?: string[];
  /**
   * What makes two readings the same credential for the duplicate window (docs/POLICY.md), when
   * that is not the scan's normalised text: for a signed credential whose signature verified, its
   * signer and signed payload (`signed:…`, dedup-text.ts), so any re-encoding of it is the same
   * credential; for an identity QR, its fields as read (whitespace, a trailing separator and the
   * Unicode normalisation no longer count). Absent: the normalised text is the key. Built only when
   * asked (`text()`), and opaque where a result is shown or serialised (DedupText). Never store or
   * log the text (the store keeps a keyed hash).
   */
  dedupText?: DedupText;
}

export interface CredentialFormat {
  id: FormatId;
  /** Cheap check on the (already trimmed, size-bounded) text: is this plausibly my format? */
  detect(text: string): boolean;
  /**
   * Decode and verify. Must not throw: every problem becomes a failure reason. (The pipeline
   * still guards against a throw and turns it into `unreadable`, but that is a bug.)
   */
  verify(text: string, ctx: VerifyContext): Promise<VerifyResult> | VerifyResult;
}

/** A result for input that never got as far as a format's own checks. */
export function failed(format: FormatId, reason: ReasonCode, detail?: string): VerifyResult {
  return {
    format,
    failures: [reason],
    findings: [],
    identityOnly: false,
    subject: {},
    statusKeys: [],
    steps: [{ step: 'decode', ok: false, detail: detail ?? reason }],
  };
}
