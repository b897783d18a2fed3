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
import { LIMITS, failed, type CredentialFormat, type VerifyContext, type VerifyResult, type VerifyStep } from '../credentials/types.js';
import { assembleShcChunks } from '../credentials/shc/chunks.js';
import type { TrustIndex } from '../credentials/trust/types.js';
import { normalizeScanText, type Normalized } from './normalize.js';
import { timeRulesFromSeconds } from '../credentials/time-rules.js';
import { decide, type Policy } from './policy.js';
import { unknownFormatHint } from '../credentials/prefix-hint.js';
import { looksLikeUtf16, UTF16_HINT } from '../shared/utf16.js';

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
  if (scan.fault) return assessRefused(scan.fault, refusalMessage(scan)!, now, deps, scan.refusal?.format);

  if (scan.assembledFrom !== undefined) {
    const n = scan.assembledFrom;
    return assessTextNow(scan.text, now, deps, { total: n, step: { step: 'assemble', ok: true, detail: `chunks 1 to ${n} of ${n} joined in order` } });
  }
  return assessTextNow(scan.text, now, deps);
}

/**
 * Why the kiosk refused `scan` itself, before any credential was read (ScanEvent.fault): the
 * refusal's detail (a multi-QR card's chunks that did not become a card), else what the scanner
 * sent. Undefined for a scan with text to verify. Fixed words and numbers only, never anything
 * read from the scan: the message of the check-in, on stdout and in `export` (StoredCheckIn.message).
 */
export function refusalMessage(scan: ScanEvent): string | undefined {
  if (!scan.fault) return undefined;
  if (scan.refusal) return scan.refusal.detail;
  if (scan.fault === 'too-large') return 'the scanner sent more than the line limit';
  // UTF-16 (a byte order mark is not UTF-8): named, so the sender knows what to change.
  if (scan.bytes && looksLikeUtf16(scan.bytes)) return `the scanner sent bytes that are not UTF-8 text: the input ${UTF16_HINT}`;
  return 'the scanner sent bytes that are not text';
}

/**
 * The chunks of one multi-QR SMART Health Card given together (`verify` with several `shc:/C/N/…`
 * texts; shc/chunks.ts), in any order: assembled into one card and assessed as one scan, with the
 * assembly as the first step. Chunks that are not one whole card — one missing, another card's
 * mixed in, a text that is no chunk — are `unreadable` (a text beyond one QR code `too-large`),
 * the step naming what is wrong. Never throws.
 */
export function assessShcChunks(texts: readonly string[], now: Date, deps: AssessDeps): Assessment | Promise<Assessment> {
  const normalized: string[] = [];
  for (const [i, text] of texts.entries()) {
    const norm = normalizeScanText(text);
    if (!norm.ok) return assessFailed(refusedAssembly(norm.reason, `text ${i + 1} of ${texts.length}: ${norm.detail}`), now, deps);
    normalized.push(norm.text);
  }
  const assembly = assembleShcChunks(normalized);
  if (!assembly.ok) return assessFailed(refusedAssembly(assembly.reason, assembly.detail), now, deps);
  return assessTextNow(assembly.text, now, deps, { total: assembly.total, step: { step: 'assemble', ok: true, detail: assembly.detail } });
}

/** A multi-QR card refused at assembly: format `shc`, one failed `assemble` step. */
function refusedAssembly(reason: VerifyResult['failures'][number], detail: string): VerifyResult {
  return { ...failed('shc', reason, detail), steps: [{ step: 'assemble', ok: false, detail }] };
}

/** A card assembled from `total` QR codes: its bound, and the step saying so. */
interface Assembled {
  total: number;
  step: VerifyStep;
}

function assessTextNow(text: string, now: Date, deps: AssessDeps, assembled?: Assembled): Assessment | Promise<Assessment> {
  if (assembled) return assessAssembledNow(text, now, deps, assembled);
  const norm = normalizeScanText(text);
  const result = verifyText(norm, now, deps);
  return isPromise(result) ? result.then((r) => assessmentOf(norm, r, now, deps)) : assessmentOf(norm, result, now, deps);
}

/** assessTextNow for a card assembled from chunks: N times the bound, the assembly its first step. */
function assessAssembledNow(text: string, now: Date, deps: AssessDeps, assembled: Assembled): Assessment | Promise<Assessment> {
  const norm = normalizeScanText(text, LIMITS.maxTextChars * assembled.total);
  const verified = verifyText(norm, now, deps, assembled.total);
  const withStep = (r: VerifyResult): VerifyResult => ({ ...r, steps: [assembled.step, ...r.steps] });
  return isPromise(verified) ? verified.then((r) => assessmentOf(norm, withStep(r), now, deps)) : assessmentOf(norm, withStep(verified), now, deps);
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
export function assessRefused(reason: 'too-large' | 'unreadable', detail: string, now: Date, deps: AssessDeps, format: VerifyResult['format'] = 'unknown'): Assessment {
  return assessFailed(failed(format, reason, detail), now, deps);
}

function assessFailed(result: VerifyResult, now: Date, deps: AssessDeps): Assessment {
  return { result, verdict: verdictFor(result, now, deps) };
}

/** `chunks`: the number of QR codes the text was assembled from (raises its bound that many times). */
function verifyText(norm: Normalized, now: Date, deps: AssessDeps, chunks?: number): VerifyResult | Promise<VerifyResult> {
  if (!norm.ok) return failed('unknown', norm.reason, norm.detail);
  const format = detectFormat(deps.formats, norm.text);
  if (!format) {
    // The kiosk routes CKP1 cards away before they get here; `verify` (and anything else that
    // assesses raw text) says what the card is rather than "unknown".
    if (isProvisioningCard(norm.text)) return failed('unknown', 'unknown-format', PROVISIONING_CARD_MESSAGE);
    return failed('unknown', 'unknown-format', unknownFormatHint(norm.text) ?? 'no supported credential format recognised');
  }
  try {
    const policy = deps.policy();
    const ctx: VerifyContext = {
      now,
      trust: deps.trust(),
      time: timeRulesFromSeconds(policy.clockSkewSeconds),
      testMaxAgeHours: policy.testMaxAgeHours,
    };
    if (chunks !== undefined) ctx.maxTextChars = LIMITS.maxTextChars * chunks;
    const result = format.verify(norm.text, ctx);
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
