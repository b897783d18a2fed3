import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMaintenance } from '../../src/app/maintenance.js';
import { silentLogger } from '../../src/core/system.js';
import { openStore } from '../../src/store/index.js';
import type { CheckIn } from '../../src/shared/types.js';

const DAY = 86_400_000;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function checkIn(id: string, scannedAt: number): CheckIn {
  return { id, deviceId: 'd', checkpointId: 'c', direction: 'in', scannedAt: new Date(scannedAt).toISOString(), format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: {} };
}

/** Timers that only fire when the test says so. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: (fn: () => void) => (pending.set(next, fn), next++),
    clearTimeout: (h: unknown) => void pending.delete(h as number),
    fireAll() {
      const fns = [...pending.values()];
      pending.clear();
      fns.forEach((f) => f());
    },
    get size() {
      return pending.size;
    },
  };
}

describe('maintenance', () => {
  it('purges forwarded check-ins past retention, keeps pending ones and alarms on old pending', () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-maint-'));
    let now = Date.parse('2026-11-25T00:00:00Z');
    const clock = { now: () => now };
    const store = openStore({ dir, logger: silentLogger, clock });
    const ids = ['00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000003'];
    store.record(checkIn(ids[0]!, now - 30 * DAY));
    store.record(checkIn(ids[1]!, now - 30 * DAY));
    store.record(checkIn(ids[2]!, now - 1 * DAY));
    store.markForwarded([ids[0]!, ids[2]!], new Date(now).toISOString());
    const alarms: unknown[] = [];
    const timers = manualTimers();
    const m = startMaintenance({ store, clock, timers, logger: silentLogger, onAlarm: (a) => alarms.push(a) });
    // First pass at start: the 30-day forwarded row goes, the 30-day pending row stays and alarms.
    expect([...store.all()].map((c) => c.id)).toEqual([ids[1], ids[2]]);
    expect(alarms[0]).toMatchObject({ kind: 'old-pending', depth: 1 });
    store.markForwarded([ids[1]!], new Date(now).toISOString());
    now += 21 * DAY;
    timers.fireAll();
    expect([...store.all()]).toHaveLength(0);
    expect(alarms[1]).toBeNull();
    m.stop();
    expect(timers.size).toBe(0);
    store.close();
  });
});
