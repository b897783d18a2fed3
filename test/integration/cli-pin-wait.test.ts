/**
 * `export --reveal` after wrong PINs tells the technician how long to wait in seconds and in the
 * kiosk's local time (its remembered time zone), not as a UTC instant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { setTechPin } from '../helpers/tech-pin.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { UI_SETTINGS } from '../../src/app/ui-settings.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-pin-wait-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settings(data: string, entries: Record<string, string>): void {
  const store = openStore({ dir: data, logger: silentLogger, clock: systemClock });
  try {
    for (const [k, v] of Object.entries(entries)) store.setSetting(k, v);
  } finally {
    store.close();
  }
}

const hhmmss = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);

describe('export --reveal during the PIN back-off', () => {
  it('says the seconds left and the local time in the kiosk\'s time zone', async () => {
    const data = join(dir, 'kiosk');
    await setTechPin(data, '4321');
    // The limiter's state after many wrong PINs: the next try is checked a minute from now.
    const nextAt = Date.now() + 60_000;
    settings(data, { 'access.failures': '9', 'access.nextAt': String(nextAt), [UI_SETTINGS.timeZone]: 'Asia/Bangkok' });
    const r = runCli(['export', '--data-dir', data, '--reveal'], '4321\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const m = /too many wrong PINs: try again in (\d+) s \(at (\d\d:\d\d:\d\d), Asia\/Bangkok time\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(m?.[1])).toBeLessThanOrEqual(60);
    expect(m?.[2]).toBe(hhmmss(nextAt, 'Asia/Bangkok'));
    expect(r.stderr).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('a wrong PIN that starts a wait says when the next try is checked, in the default zone when none was set', async () => {
    const data = join(dir, 'kiosk-default-zone');
    await setTechPin(data, '4321');
    // Three wrong PINs are free; the fourth starts a wait.
    settings(data, { 'access.failures': '3' });
    const r = runCli(['export', '--data-dir', data, '--reveal'], '9999\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong technician PIN; the next try is checked in \d+ s \(at \d\d:\d\d:\d\d, Asia\/Ho_Chi_Minh time\)/);
    expect(r.stderr).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});
