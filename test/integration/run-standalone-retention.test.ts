/**
 * Retention on a kiosk with no central server: `run` without --server, never enrolled, purges its
 * check-ins past the retention at start (with the audit receipt) although none was forwarded — it
 * has nowhere to forward them; the same data dir run with --server (or once enrolled) keeps them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { API_SETTINGS } from '../../src/app/api-settings.js';
import { PROVISIONING_SETTINGS } from '../../src/app/settings.js';

const DAY = 86_400_000;
let dir: string;
beforeEach(() => {
  dir = tempDir('ck-standalone-');
});
afterEach(() => removeDir(dir));

/** Check-ins 67 and 1 days old (before now), none forwarded. */
function populate(data: string): void {
  fs.mkdirSync(data, { recursive: true });
  const store = open(data);
  const T0 = Date.parse('2026-11-25T08:00:00.000Z');
  store.record(checkIn(Date.now() - 67 * DAY - T0));
  store.record(checkIn(Date.now() - 1 * DAY - T0));
  store.close();
}

function held(data: string): { count: number; purges: Record<string, unknown>[] } {
  const store = openStore({ dir: data, logger: silentLogger, clock: systemClock });
  try {
    return { count: [...store.all()].length, purges: store.auditLog(50).filter((e) => e.action === 'purge').map((e) => e.detail as Record<string, unknown>) };
  } finally {
    store.close();
  }
}

describe('retention on a kiosk without a central server', () => {
  it('run without --server, never enrolled: check-ins past retention are purged with a receipt', () => {
    const data = path.join(dir, 'alone');
    populate(data);
    const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/waiting too long to be forwarded/);
    const after = held(data);
    expect(after.count).toBe(1);
    expect(after.purges).toEqual([expect.objectContaining({ removed: 1, unsent: true, retentionDays: 21 })]);
  }, 60_000);

  it('run with --server (nothing listening), or a kiosk enrolled before: nothing unsent is purged', () => {
    const data = path.join(dir, 'server');
    populate(data);
    const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin', '--server', 'http://127.0.0.1:47699', '--drain-seconds', '0']);
    expect(r.code).toBe(0);
    expect(held(data)).toEqual({ count: 2, purges: [] });

    const before = path.join(dir, 'enrolled-before');
    populate(before);
    const store = open(before);
    store.setSetting(API_SETTINGS.serverUrl, 'http://127.0.0.1:47699');
    store.close();
    expect(runCli(['run', '--data-dir', before, '--scanner', 'stdin']).code).toBe(0);
    expect(held(before)).toEqual({ count: 2, purges: [] });
  }, 60_000);

  it('a provisioning card that failed to enroll it counts as a server only until the card expires', () => {
    const tried = (name: string, until: string | undefined): string => {
      const data = path.join(dir, name);
      populate(data);
      const store = open(data);
      store.setSetting(PROVISIONING_SETTINGS.triedKid, 'a2lkLW9mLXRoZS1yb290');
      if (until !== undefined) store.setSetting(PROVISIONING_SETTINGS.triedUntil, until);
      store.close();
      expect(runCli(['run', '--data-dir', data, '--scanner', 'stdin']).code).toBe(0);
      return data;
    };
    // Expired an hour ago: it can no longer enroll the kiosk, which has no server again.
    const expired = held(tried('tried-expired', new Date(Date.now() - 3_600_000).toISOString()));
    expect(expired.count).toBe(1);
    expect(expired.purges).toEqual([expect.objectContaining({ removed: 1, unsent: true })]);
    // Still valid, or a marker written by an older version without the expiry: nothing unsent is purged.
    expect(held(tried('tried-valid', new Date(Date.now() + 3_600_000).toISOString()))).toEqual({ count: 2, purges: [] });
    expect(held(tried('tried-old', undefined))).toEqual({ count: 2, purges: [] });
  }, 60_000);
});
