/**
 * Real implementations of the core ports. Only the composition root (src/app) and the CLI
 * construct these; everything else receives them.
 */
import { randomFillSync } from 'node:crypto';
import type { Clock, IdSource, LogFields, Logger, Timers } from '../shared/ports.js';

export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Lower-case hex digits as ASCII codes, and the length of a UUID's text form (RFC 9562 §4). */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const UUID_CHARS = 36;

/**
 * UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then random bits. A per-process counter in
 * the rand_a field keeps ids generated within one millisecond ordered.
 */
export function uuidv7Source(clock: Clock = systemClock): IdSource {
  let lastMs = -1;
  let counter = 0;
  // Random bytes come from a pool refilled 256 ids at a time: one syscall-backed fill instead of
  // one per scan on the hot path.
  const pool = Buffer.alloc(16 * 256);
  let used = pool.length;
  const text = Buffer.alloc(UUID_CHARS);
  return {
    next() {
      let ms = clock.now();
      if (ms <= lastMs) {
        counter++;
        if (counter > 0xfff) {
          // Counter exhausted within one ms: borrow the next millisecond to stay ordered.
          lastMs++;
          counter = 0;
        }
        ms = lastMs;
      } else {
        lastMs = ms;
        counter = 0;
      }
      if (used === pool.length) {
        randomFillSync(pool);
        used = 0;
      }
      const at = used; // each slot is used once, so it can be written in place
      used += 16;
      pool.writeUIntBE(ms, at, 6);
      pool[at + 6] = 0x70 | ((counter >> 8) & 0x0f);
      pool[at + 7] = counter & 0xff;
      pool[at + 8] = 0x80 | ((pool[at + 8] ?? 0) & 0x3f);
      // The 36 characters written as ASCII bytes and read out as one string: one allocation per id
      // (a hex string, five slices and their concatenation before).
      for (let k = 0, o = 0; k < 16; k++) {
        if (k === 4 || k === 6 || k === 8 || k === 10) text[o++] = 0x2d; // '-'
        const byte = pool[at + k] ?? 0;
        text[o++] = HEX_DIGITS[byte >> 4] ?? 0;
        text[o++] = HEX_DIGITS[byte & 0x0f] ?? 0;
      }
      return text.toString('latin1', 0, UUID_CHARS);
    },
  };
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/**
 * JSON-lines logger on a writable (stderr by default: stdout belongs to the `run` protocol).
 * Level from CHECKPOINT_KIOSK_LOG (debug|info|warn|error|silent), default info.
 */
export function jsonLogger(
  opts: { namespace?: string; level?: Level | 'silent'; write?: (line: string) => void; clock?: Clock } = {},
): Logger {
  const envLevel = process.env.CHECKPOINT_KIOSK_LOG as Level | 'silent' | undefined;
  const level = opts.level ?? envLevel ?? 'info';
  const min = level === 'silent' ? Infinity : (LEVELS[level] ?? LEVELS.info);
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const clock = opts.clock ?? systemClock;
  const make = (ns: string): Logger => {
    const emit = (lvl: Level, msg: string, fields?: LogFields) => {
      if (LEVELS[lvl] < min) return;
      write(`${JSON.stringify({ t: new Date(clock.now()).toISOString(), level: lvl, ns, msg, ...fields })}\n`);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (sub) => make(ns ? `${ns}.${sub}` : sub),
    };
  };
  return make(opts.namespace ?? 'kiosk');
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = jsonLogger({ level: 'silent' });
