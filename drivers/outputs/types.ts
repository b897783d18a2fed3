/**
 * Outputs: what the kiosk switches after a verdict — a gate/turnstile relay, the scanner's own
 * beeper. Contract: an output never blocks or fails a check-in. pulse() never rejects and returns
 * once the action has started (a relay is on and its switch-off is scheduled); failures are logged
 * (no payload, no personal data) and counted in stats().
 */
export type PulseKind = 'accept' | 'reject' | 'refer';
export const PULSE_KINDS: readonly PulseKind[] = ['accept', 'reject', 'refer'];

export interface PulseContext {
  /** The scanner that read the code: the beeper sounds on that one only. */
  deviceId?: string;
}

export interface OutputStats {
  uri: string;
  /** Actions started (relay pulses, beeps). */
  pulses: number;
  /** Failed device commands (open, write) since start. */
  errors: number;
  lastError?: string;
  /** ISO time of the last error. */
  lastErrorAt?: string;
}

export interface Output {
  readonly uri: string;
  /** Prepares the device; a relay is switched OFF here (see docs/SCANNERS.md). Never rejects. */
  open(): Promise<void>;
  pulse(kind: PulseKind, context?: PulseContext): Promise<void>;
  /** Switches a relay off if it is on, releases the device. Idempotent, never rejects. */
  close(): Promise<void>;
  stats(): OutputStats;
}
