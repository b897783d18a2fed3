/**
 * A heartbeat body made to fit the bounds every central server of protocol v1 enforces on it
 * (docs/PROTOCOL.md, "Heartbeat"): at most 16 scanners, each text within its length, no control
 * characters. A driver's raw error text (an OS or library message, a camera tool's output with
 * carriage returns) can be longer or hold such characters; sent as it is, the server refuses the
 * whole heartbeat with a 400 and the fleet page shows a live kiosk as silent.
 */
import { replaceControlCharacters } from '../shared/control-characters.js';
import { cutText } from '../shared/cut-text.js';
import { redactCredentials } from '../shared/redact-credentials.js';
import type { ScannerStatus } from '../shared/types.js';
import type { HeartbeatBody } from './heartbeat.js';

/** Longest text per scanner member, in UTF-16 code units (the reference server's schema). */
export const SCANNER_TEXT_LIMITS = { deviceId: 128, uri: 256, state: 32, lastReadAt: 40, lastError: 500 } as const;
/** Most scanners one heartbeat lists. */
export const MAX_HEARTBEAT_SCANNERS = 16;

/** `text` without control characters (whitespace ones become a space, others U+FFFD), at most `max` long (ending in "…" when cut). */
export function boundedText(text: string, max: number): string {
  return cutText(replaceControlCharacters(text), max);
}

/** `body` with its scanners bounded as above; every other member as it is. */
export function heartbeatForServer(body: HeartbeatBody): HeartbeatBody {
  const scanners = body.scanners.slice(0, MAX_HEARTBEAT_SCANNERS).map((s) => {
    const out: ScannerStatus = { ...s };
    for (const key of Object.keys(SCANNER_TEXT_LIMITS) as (keyof typeof SCANNER_TEXT_LIMITS)[]) {
      const v = s[key];
      // uri and lastError may name a camera URL: its password is masked (the drivers do too).
      const text = typeof v === 'string' && (key === 'uri' || key === 'lastError') ? redactCredentials(v) : v;
      if (typeof text === 'string') (out as unknown as Record<string, string>)[key] = boundedText(text, SCANNER_TEXT_LIMITS[key]);
    }
    return out;
  });
  return { ...body, scanners };
}
