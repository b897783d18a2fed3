/**
 * The kiosk pipeline (docs/POLICY.md): ScanEvent → detect → verify → policy → check-in committed
 * (check-in + outbox row, one transaction, synchronous=FULL) → outcome returned. The caller
 * shows or prints the outcome only after process() resolves, so anything shown is on disk.
 *
 * Scans are processed one at a time in arrival order: verification is cheap next to the fsync,
 * and serial processing keeps the duplicate window exact.
 */
import type { CheckIn, Direction, ScanEvent, Verdict } from '../shared/types.js';
import type { Clock, IdSource, Logger } from '../shared/ports.js';
import type { CheckInStore, DedupRule } from '../store/types.js';
import type { CredentialFormat } from '../credentials/types.js';
import type { TrustIndex } from '../credentials/trust/types.js';
import { assessScanNow, refusalMessage, type Assessment } from './assess.js';
import type { Policy } from './policy.js';
import { UNIDENTIFIED_REASONS } from '../shared/reasons.js';

export interface PipelineConfig {
  /** This kiosk's device id (the enrolled id, or a local one before enrollment). */
  deviceId: string;
  /**
   * The id this same kiosk had before `deviceId` (its local id until enrollment gave the central
   * one). A scan read twice across the change is still one device's double read, so its earlier
   * check-in under this id counts for the duplicate window.
   */
  formerDeviceId?: string;
  checkpointId: string;
  direction: Direction;
}

export interface PipelineDeps {
  formats: readonly CredentialFormat[];
  store: CheckInStore;
  trust: () => TrustIndex;
  policy: () => Policy;
  config: () => PipelineConfig;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
}

/**
 * What a processed scan led to. For a duplicate, `verdict` is the verdict COMMITTED with the
 * earlier check-in `of` (its officer override if it has one), never the new scan's uncommitted
 * assessment: screens, relays and beepers act on what was recorded.
 */
export type Outcome =
  /** `message`: why the kiosk refused the scan itself, recorded with it (StoredCheckIn.message). */
  | { kind: 'checkin'; checkIn: CheckIn; verdict: Verdict; scan: ScanEvent; message?: string }
  | { kind: 'duplicate'; of: string; original: CheckIn; verdict: Verdict; scan: ScanEvent };

export class Pipeline {
  /** Settles when the last queued scan has; only scans that waited for a verifier are queued. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Scans queued (waiting for an asynchronous verifier, or behind one) and not yet settled. */
  private queued = 0;
  private readonly log: Logger;

  constructor(private readonly deps: PipelineDeps) {
    this.log = deps.logger.child('pipeline');
  }

  /**
   * Processes a scan after every scan before it; resolves once its check-in is committed (or found
   * to be a duplicate). With nothing queued and a synchronous verifier (CCCD, unified QR, refused
   * input) the scan is committed before process() returns: no promise hop between the scan and
   * its fsync. A storage fault rejects the promise.
   */
  process(scan: ScanEvent): Promise<Outcome> {
    try {
      const outcome = this.processEager(scan);
      return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /**
   * process() without the promise when none is needed: with nothing queued and a synchronous
   * verifier the scan is committed (or found to be a duplicate) before this returns, and its
   * Outcome is returned as it is; a storage fault is then thrown. Otherwise the scan is queued
   * behind the others exactly as process() would, and the same promise is returned.
   */
  processEager(scan: ScanEvent): Outcome | Promise<Outcome> {
    if (this.queued > 0) return this.enqueue(this.tail.then(() => this.processNow(scan)));
    const outcome = this.processNow(scan);
    return outcome instanceof Promise ? this.enqueue(outcome) : outcome;
  }

  private enqueue(run: Promise<Outcome>): Promise<Outcome> {
    this.queued++;
    const settled = () => {
      this.queued--;
    };
    // Keep the chain alive even if a storage fault rejects this one.
    this.tail = run.then(settled, settled);
    return run;
  }

  private processNow(scan: ScanEvent): Outcome | Promise<Outcome> {
    const startedAt = this.deps.clock.now();
    const assessment = assessScanNow(scan, new Date(startedAt), this.deps);
    return assessment instanceof Promise ? assessment.then((a) => this.commit(scan, a, startedAt)) : this.commit(scan, assessment, startedAt);
  }

  /** Records the assessed scan (one synchronous=FULL transaction) and says what it led to. */
  private commit(scan: ScanEvent, { result, verdict, normalizedText }: Assessment, startedAt: number): Outcome {
    const config = this.deps.config();
    const checkIn: CheckIn = {
      id: this.deps.ids.next(),
      deviceId: config.deviceId,
      checkpointId: config.checkpointId,
      direction: config.direction,
      scannedAt: new Date(scan.receivedAt).toISOString(),
      format: result.format,
      verdict: verdict.verdict,
      reasons: verdict.reasons,
      subject: result.subject,
    };
    // A manual entry carries its officer to the central server (CheckIn.manual).
    if (scan.source === 'manual' && scan.enteredBy) checkIn.manual = { by: scan.enteredBy };
    const windowMs = this.deps.policy().duplicateWindowMinutes * 60_000;
    // Storage faults propagate: the caller must not show a verdict that was not recorded.
    let dedup: DedupRule | undefined;
    if (normalizedText !== undefined && windowMs > 0) {
      const dedupText = result.dedupText?.text();
      dedup = { key: contentKey(result.format, dedupText ?? normalizedText), windowMs };
      // Check-ins recorded before schema v7 were keyed by the text alone (store/migrations.ts).
      if (dedupText !== undefined && dedupText !== normalizedText) dedup.formerKey = contentKey(result.format, normalizedText);
      if (config.formerDeviceId) dedup.formerDeviceId = config.formerDeviceId;
      // A reading that identified nobody does not inherit an officer's override of the same text.
      if (verdict.reasons.some((r) => UNIDENTIFIED_REASONS.includes(r))) dedup.inheritsOverride = false;
    }
    // A scan the kiosk refused itself (held chunks that became no card …) keeps why, in fixed words:
    // never a verifier's messages, which may quote the credential (an ID card's birth date).
    const message = refusalMessage(scan);
    const outcome = this.deps.store.record(checkIn, dedup, message);
    this.log.info('scan processed', {
      source: scan.source,
      format: result.format,
      verdict: verdict.verdict,
      reasons: verdict.reasons.join(','),
      duplicate: outcome.kind === 'duplicate',
      ms: this.deps.clock.now() - startedAt,
    });
    if (outcome.kind === 'duplicate') {
      const original = this.deps.store.get(outcome.of);
      // The earlier row was found inside the same transaction; only a purge racing this scan could
      // remove it, and then the assessment (identical verdict and reasons by the fold rule) stands.
      const committed: CheckIn = original ?? { ...checkIn, id: outcome.of };
      return { kind: 'duplicate', of: outcome.of, original: committed, verdict: committedVerdict(committed, verdict), scan };
    }
    return message === undefined ? { kind: 'checkin', checkIn, verdict, scan } : { kind: 'checkin', checkIn, verdict, scan, message };
  }

  /** Waits until every queued scan has been processed. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

/**
 * Duplicate-window key: the credential itself, `<format>:content:<text>`, where the text is the
 * verifier's VerifyResult.dedupText (a verified signed credential's signer and signed payload, an
 * identity QR's fields as read) or else the normalised QR text. So only a re-read of the same
 * credential — however it was re-encoded — can fold into an earlier check-in; an unverified
 * reading keeps its QR text and never shares a key with a verified one (a dedupText of a signed
 * format starts `signed:`, a QR text of one starts with its prefix). The store keeps only a keyed
 * hash of it.
 */
export function contentKey(format: string, text: string): string {
  return `${format}:content:${text}`;
}

/**
 * The verdict a duplicate shows and acts on: the earlier check-in's committed verdict and reasons
 * (an officer's override, when there is one, is what was committed last). The display (name,
 * title, explanations) comes from the new reading of the same credential.
 */
export function committedVerdict(original: CheckIn, assessed: Verdict): Verdict {
  if (original.override) return { verdict: original.override.verdict, reasons: original.override.reasons ?? original.reasons, display: assessed.display };
  return { verdict: original.verdict, reasons: original.reasons, display: assessed.display };
}
