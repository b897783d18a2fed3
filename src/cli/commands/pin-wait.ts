/**
 * How long a technician must wait after wrong PINs, in words they can act on: the seconds left
 * and the local wall-clock time in the kiosk's time zone (`run --time-zone`, kept in the data dir;
 * default Asia/Ho_Chi_Minh), never a UTC ISO instant a person must convert.
 */
import type { CheckInStore } from '../../store/types.js';
import { readTimeZone } from '../../app/ui-settings.js';

/**
 * `in 27 s (at 22:58:07, Asia/Ho_Chi_Minh time)` for `retryAt` (ISO instant) seen at `nowMs`
 * (epoch ms); at least 1 s, rounded up, so "in 0 s" is never shown while the wait still holds.
 */
export function waitText(retryAt: string, nowMs: number, store: Pick<CheckInStore, 'getSetting'>): string {
  const atMs = Date.parse(retryAt);
  const seconds = Math.max(1, Math.ceil((atMs - nowMs) / 1000));
  const timeZone = readTimeZone(store);
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(atMs);
  return `in ${seconds} s (at ${clock}, ${timeZone} time)`;
}
