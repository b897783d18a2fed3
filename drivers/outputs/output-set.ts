/**
 * Several outputs driven as one, so the kiosk makes one call per verdict. Every output is started
 * at once; one that throws (it should not: see Output) is logged and counted, never passed on.
 */
import type { Logger } from '../../src/shared/ports.js';
import type { Output, OutputStats, PulseContext, PulseKind } from './types.js';

export class OutputSet {
  private readonly log: Logger;
  private thrown = 0;

  constructor(
    readonly outputs: readonly Output[],
    logger: Logger,
  ) {
    this.log = logger.child('outputs');
  }

  /** Switches relays off (start of day). Never rejects. */
  async open(): Promise<void> {
    await this.each('open', (o) => o.open());
  }

  /** Resolves once every output has started its action. Never rejects. */
  async pulse(kind: PulseKind, context?: PulseContext): Promise<void> {
    await this.each('pulse', (o) => o.pulse(kind, context));
  }

  /** Fire and forget, for code that must not wait (the check-in path). */
  fire(kind: PulseKind, context?: PulseContext): void {
    void this.pulse(kind, context);
  }

  async close(): Promise<void> {
    await this.each('close', (o) => o.close());
  }

  stats(): OutputStats[] {
    return this.outputs.map((o) => o.stats());
  }

  /** Calls that threw out of an output (a bug in it), for diagnostics. */
  get unexpectedFailures(): number {
    return this.thrown;
  }

  private async each(what: string, fn: (o: Output) => Promise<void>): Promise<void> {
    await Promise.all(
      this.outputs.map(async (o) => {
        try {
          await fn(o);
        } catch (err) {
          this.thrown++;
          this.log.error('output failed', { uri: o.uri, what, error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }
}
