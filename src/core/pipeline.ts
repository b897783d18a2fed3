/**
 * The kiosk pipeline (docs/POLICY.md): ScanEvent → detect → verify → policy → check-in committed
 * (check-in + outbox row, one transaction, synchronous=FULL) → outcome returned. The caller
 * shows or prints the outcome only after process() resolves, so anything shown is on disk.
 *
 * Scans are processed one at a time in arrival order: verification is cheap next to the fsync,
 * and serial processing keeps the duplicate window exact.
 */
import type { CheckIn, Direction, ScanEvent, Subject, Verdict } from '../shared/types.js';
import type { Clock, IdSource, Logger } from '../shared/ports.js';
import type { CheckInStore } from '../store/types.js';
import type { CredentialFormat } from '../credentials/types.js';
import type { TrustIndex } from '../credentials/trust/types.js';
import { assessScan } from './assess.js';
import type { Policy } from './policy.js';

export interface PipelineConfig {
  /** This kiosk's device id (the enrolled id, or a local one before enrollment). */
  deviceId: string;
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

export type Outcome =
  | { kind: 'checkin'; checkIn: CheckIn; verdict: Verdict; scan: ScanEvent }
  | { kind: 'duplicate'; of: string; verdict: Verdict; scan: ScanEvent };

export class Pipeline {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly deps: PipelineDeps) {
    this.log = deps.logger.child('pipeline');
  }

  /** Queues a scan; resolves once its check-in is committed (or found to be a duplicate). */
  process(scan: ScanEvent): Promise<Outcome> {
    const run = this.tail.then(() => this.processNow(scan));
    // Keep the chain alive even if a storage fault rejects this one.
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async processNow(scan: ScanEvent): Promise<Outcome> {
    const startedAt = this.deps.clock.now();
    const now = new Date(startedAt);
    const { result, verdict } = await assessScan(scan, now, this.deps);
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
    const key = dedupKey(result.format, result.subject);
    const windowMs = this.deps.policy().duplicateWindowMinutes * 60_000;
    // Storage faults propagate: the caller must not show a verdict that was not recorded.
    const outcome = this.deps.store.record(checkIn, key && windowMs > 0 ? { key, windowMs } : undefined);
    this.log.info('scan processed', {
      source: scan.source,
      format: result.format,
      verdict: verdict.verdict,
      reasons: verdict.reasons.join(','),
      duplicate: outcome.kind === 'duplicate',
      ms: this.deps.clock.now() - startedAt,
    });
    if (outcome.kind === 'duplicate') {
      return { kind: 'duplicate', of: outcome.of, verdict: { ...verdict, reasons: ['duplicate'] }, scan };
    }
    return { kind: 'checkin', checkIn, verdict, scan };
  }

  /** Waits until every queued scan has been processed. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

/**
 * Identity key for the duplicate window: the same credential type for the same person. The
 * format is part of it because at a checkpoint a traveller's declaration and ID card are two
 * separate check-ins.
 */
export function dedupKey(format: string, subject: Subject): string | undefined {
  const id = subject.idNo && !subject.idNo.includes('*') ? subject.idNo : subject.altId;
  if (id) return `${format}:id:${id.toUpperCase()}`;
  if (subject.name && subject.dob) return `${format}:nd:${subject.name.normalize('NFC').toUpperCase()}|${subject.dob}`;
  return undefined;
}
