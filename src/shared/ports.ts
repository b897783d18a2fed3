/**
 * The side effects the core needs, injected so tests control them (STYLE: nothing in core,
 * drivers or the outbox calls Date.now(), setTimeout or a native module directly).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface IdSource {
  /** A new unique, time-ordered id (UUIDv7). */
  next(): string;
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

/**
 * Structured logger. Fields must never carry personal data (names, ID numbers, raw payloads):
 * log counts, formats, reasons, device ids, durations.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(namespace: string): Logger;
}

/** Timers, injectable for fake-clock tests. Delays in milliseconds. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
