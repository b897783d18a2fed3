/**
 * The scanners' own beeper/LED as an output: good read for accept, bad read for reject and refer,
 * through the driver's `indicate()` where it has one (HidPosDriver: the vendor's beep commands,
 * e.g. Honeywell; a no-op for vendors without them). Serial and keyboard-mode scanners cannot be
 * told to beep and are skipped. With a context deviceId only the scanner that read the code beeps.
 */
import type { Logger } from '../../src/shared/ports.js';
import type { DriverDeps, ScannerDriver } from '../types.js';
import type { Output, OutputStats, PulseContext, PulseKind } from './types.js';

type Indication = 'good' | 'bad';
interface Indicating {
  indicate(kind: Indication): Promise<boolean>;
}

export interface ScannerBeeperOptions {
  uri?: string;
  /** The scanners now (e.g. () => manager.drivers()); read at every pulse, so hot-plug is followed. */
  scanners: () => readonly ScannerDriver[];
  on: readonly PulseKind[];
}

export function canIndicate(d: ScannerDriver): d is ScannerDriver & Indicating {
  return typeof (d as Partial<Indicating>).indicate === 'function';
}

export class ScannerBeeperOutput implements Output {
  readonly uri: string;
  private readonly opts: ScannerBeeperOptions;
  private readonly log: Logger;
  private readonly clock: DriverDeps['clock'];
  private pulses = 0;
  private errors = 0;
  private lastError: string | undefined;
  private lastErrorAt: number | undefined;

  constructor(opts: ScannerBeeperOptions, deps: DriverDeps) {
    this.uri = opts.uri ?? 'beeper';
    this.opts = opts;
    this.log = deps.logger.child('beeper');
    this.clock = deps.clock;
  }

  async open(): Promise<void> {}

  async pulse(kind: PulseKind, context: PulseContext = {}): Promise<void> {
    if (!this.opts.on.includes(kind)) return;
    const indication: Indication = kind === 'accept' ? 'good' : 'bad';
    const targets = this.opts.scanners().filter((d) => canIndicate(d) && (context.deviceId === undefined || d.deviceId === context.deviceId));
    await Promise.all(
      targets.map(async (d) => {
        try {
          // indicate() resolves false when the vendor has no beep command or the device is away.
          if (await (d as ScannerDriver & Indicating).indicate(indication)) this.pulses++;
        } catch (err) {
          this.errors++;
          this.lastError = err instanceof Error ? err.message : String(err);
          this.lastErrorAt = this.clock.now();
          this.log.warn('scanner beep failed', { deviceId: d.deviceId, indication, error: this.lastError });
        }
      }),
    );
  }

  async close(): Promise<void> {}

  stats(): OutputStats {
    const s: OutputStats = { uri: this.uri, pulses: this.pulses, errors: this.errors };
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.lastErrorAt !== undefined) s.lastErrorAt = new Date(this.lastErrorAt).toISOString();
    return s;
  }
}
