/**
 * Scan text → verification result → verdict, without recording anything. Used by the pipeline
 * for every scan and by `checkpoint-kiosk verify`. Never throws: every failure is a reason.
 */
import type { StatusEntry } from '../shared/trust.js';
import type { ScanEvent, Verdict, VerdictDisplay } from '../shared/types.js';
import { maskName } from '../shared/mask.js';
import type { Logger } from '../shared/ports.js';
import { detectFormat } from '../credentials/registry.js';
import { isProvisioningCard } from '../credentials/provisioning/verify.js';
import { failed, type CredentialFormat, type VerifyResult } from '../credentials/types.js';
import type { TrustIndex } from '../credentials/trust/types.js';
import { normalizeScanText, type Normalized } from './normalize.js';
import { timeRulesFromSeconds } from '../credentials/time-rules.js';
import { decide, type Policy } from './policy.js';

/** What a CKP1 card is, for whoever holds one up to `verify`: not a credential, never a check-in. */
export const PROVISIONING_CARD_MESSAGE =
  "a provisioning card (CKP1): a technician's enrollment card that connects a kiosk to its central server, not a credential; it is never recorded as a check-in";

export interface Assessment {
  result: VerifyResult;
  verdict: Verdict;
  /**
   * The scan text after normalisation (BOM, AIM prefix and whitespace removed, NFC), when the scan
   * had usable text: what makes two scans "the same credential" for the duplicate window. Callers
   * must not store or log it.
   */
  normalizedText?: string;
}

export interface AssessDeps {
  formats: readonly CredentialFormat[];
  trust: () => TrustIndex;
  policy: () => Policy;
  logger: Logger;
}

export async function assessText(text: string, now: Date, deps: AssessDeps): Promise<Assessment> {
  return assessTextNow(text, now, deps);
}

/**
 * A scan's assessment, answered without a promise when the format's verifier answers synchronously
 * (CCCD, the unified QR, anything refused before a verifier): the pipeline takes such a scan to its
 * commit with no promise hop in between. Never throws: a verifier that throws or rejects gives an
 * `unreadable` verdict.
 */
export function assessScanNow(scan: ScanEvent, now: Date, deps: AssessDeps): Assessment | Promise<Assessment> {
  if (scan.fault) return assessRefused(scan.fault, scan.fault === 'too-large' ? 'the scanner sent more than the line limit' : 'the scanner sent bytes that are not text', now, deps);
  return assessTextNow(scan.text, now, deps);
}

function assessTextNow(text: string, now: Date, deps: AssessDeps): Assessment | Promise<Assessment> {
  const norm = normalizeScanText(text);
  const result = verifyText(norm, now, deps);
  return isPromise(result) ? result.then((r) => assessmentOf(norm, r, now, deps)) : assessmentOf(norm, result, now, deps);
}

function assessmentOf(norm: Normalized, result: VerifyResult, now: Date, deps: AssessDeps): Assessment {
  const assessment: Assessment = { result, verdict: verdictFor(result, now, deps) };
  if (norm.ok) assessment.normalizedText = norm.text.normalize('NFC');
  return assessment;
}

/**
 * The verdict for input refused before its text was read — longer than the reader's bound
 * (`too-large`) or not text (`unreadable`) — with `detail` saying why (shown as a message).
 */
export function assessRefused(reason: 'too-large' | 'unreadable', detail: string, now: Date, deps: AssessDeps): Assessment {
  const result = failed('unknown', reason, detail);
  return { result, verdict: verdictFor(result, now, deps) };
}

function verifyText(norm: Normalized, now: Date, deps: AssessDeps): VerifyResult | Promise<VerifyResult> {
  if (!norm.ok) return failed('unknown', norm.reason, norm.detail);
  const format = detectFormat(deps.formats, norm.text);
  if (!format) {
    // The kiosk routes CKP1 cards away before they get here; `verify` (and anything else that
    // assesses raw text) says what the card is rather than "unknown".
    if (isProvisioningCard(norm.text)) return failed('unknown', 'unknown-format', PROVISIONING_CARD_MESSAGE);
    return failed('unknown', 'unknown-format', 'no supported credential format recognised');
  }
  try {
    const policy = deps.policy();
    const result = format.verify(norm.text, {
      now,
      trust: deps.trust(),
      time: timeRulesFromSeconds(policy.clockSkewSeconds),
      testMaxAgeHours: policy.testMaxAgeHours,
    });
    return isPromise(result) ? result.catch((err: unknown) => verifierThrew(format, err, deps)) : result;
  } catch (err) {
    return verifierThrew(format, err, deps);
  }
}

/** A verifier that throws (or rejects) has a bug; the person at the door still gets a verdict. */
function verifierThrew(format: CredentialFormat, err: unknown, deps: AssessDeps): VerifyResult {
  deps.logger.error('verifier threw', { format: format.id, error: err instanceof Error ? err.name : typeof err });
  return failed(format.id, 'unreadable', 'internal verifier error');
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

// Runs for every scan: plain loops and assignments rather than Sets and conditional object
// spreads (the display keys keep their order: maskedName, title, details, messages).
function verdictFor(result: VerifyResult, now: Date, deps: AssessDeps): Verdict {
  const trust = deps.trust();
  const hits: StatusEntry[] = [];
  if (result.failures.length === 0) {
    const keys = result.statusKeys;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (keys.indexOf(key) !== i) continue; // each key looked up once
      for (const hit of trust.statuses(key, now)) hits.push(hit);
    }
  }
  const decision = decide(result, hits, deps.policy());
  // Distinct messages in order: the verifier's own, then the detail of each failed step.
  const messages: string[] = [];
  if (result.messages) for (const m of result.messages) if (!messages.includes(m)) messages.push(m);
  for (const step of result.steps) if (!step.ok && step.detail && !messages.includes(step.detail)) messages.push(step.detail);
  const display = {} as VerdictDisplay;
  if (result.subject.name) display.maskedName = maskName(result.subject.name);
  if (result.title) display.title = result.title;
  display.details = result.details ?? [];
  display.messages = messages;
  return { verdict: decision.verdict, reasons: decision.reasons, display };
}
