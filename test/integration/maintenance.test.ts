import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMaintenance } from '../../src/app/maintenance.js';
import { silentLogger } from '../../src/core/system.js';
import { openStore } from '../../src/store/index.js';
import type { CheckIn } from '../../src/shared/types.js';
import { FakeTime } from '../fakes/fake-time.js';

const DAY = 86_400_000;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function checkIn(id: string, scannedAt: number): CheckIn {
  return { id, deviceId: 'd', checkpointId: 'c', direction: 'in', scannedAt: new Date(scannedAt).toISOString(), format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: {} };
}

describe('maintenance', () => {
  it('purges forwarded check-ins past retention, keeps pending ones and alarms on old pending', () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-maint-'));
    const time = new FakeTime(Date.parse('2026-11-25T00:00:00Z'));
    const now = time.now();
    const store = openStore({ dir, logger: silentLogger, clock: time });
    const ids = ['00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000003'];
    store.record(checkIn(ids[0]!, now - 30 * DAY));
    store.record(checkIn(ids[1]!, now - 30 * DAY));
    store.record(checkIn(ids[2]!, now - 1 * DAY));
    store.markForwarded([ids[0]!, ids[2]!], new Date(now).toISOString());
    const alarms: unknown[] = [];
    // One pass at start, the next one 21 days later.
    const m = startMaintenance({ store, clock: time, timers: time, logger: silentLogger, intervalMs: 21 * DAY, onAlarm: (a) => alarms.push(a) });
    // First pass at start: the 30-day forwarded row goes, the 30-day pending row stays and alarms.
    expect([...store.all()].map((c) => c.id)).toEqual([ids[1], ids[2]]);
    expect(alarms[0]).toMatchObject({ kind: 'old-pending', depth: 1 });
    store.markForwarded([ids[1]!], new Date(now).toISOString());
    time.advanceSync(21 * DAY);
    expect([...store.all()]).toHaveLength(0);
    expect(alarms[1]).toBeNull();
    m.stop();
    expect(time.timerCount).toBe(0);
    store.close();
  });

  it('a kiosk with no central server purges every check-in past retention, receipts marked unsent, and gives no old-queue alarm', () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-maint-'));
    const time = new FakeTime(Date.parse('2026-11-25T00:00:00Z'));
    const now = time.now();
    const store = openStore({ dir, logger: silentLogger, clock: time });
    const ids = ['00000000-0000-7000-8000-000000000011', '00000000-0000-7000-8000-000000000012', '00000000-0000-7000-8000-000000000013'];
    store.record(checkIn(ids[0]!, now - 67 * DAY));
    store.record(checkIn(ids[1]!, now - 30 * DAY));
    store.record(checkIn(ids[2]!, now - 3 * DAY));
    let standalone = false;
    const alarms: unknown[] = [];
    // With a server (the default): nothing unsent goes, and the old queue alarms.
    const withServer = startMaintenance({ store, clock: time, timers: time, logger: silentLogger, onAlarm: (a) => alarms.push(a), standalone: () => standalone });
    withServer.stop();
    expect([...store.all()]).toHaveLength(3);
    expect(alarms.at(-1)).toMatchObject({ kind: 'old-pending', depth: 3 });
    standalone = true;
    const alone = startMaintenance({ store, clock: time, timers: time, logger: silentLogger, onAlarm: (a) => alarms.push(a), standalone: () => standalone });
    alone.stop();
    expect([...store.all()].map((c) => c.id)).toEqual([ids[2]]);
    expect(alarms.at(-1)).toBeNull();
    const receipt = store.auditLog(5).find((e) => e.action === 'purge');
    expect(receipt?.detail).toMatchObject({ retentionDays: 21, removed: 2, unsent: true });
    expect(String((receipt?.detail as { rule?: unknown }).rule)).toMatch(/no central server/);
    // The one left is still pending: enrolled later, the kiosk forwards it.
    expect(store.queueStats().depth).toBe(1);
    store.close();
  });
});
