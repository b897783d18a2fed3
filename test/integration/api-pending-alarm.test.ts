/**
 * A check-in that has waited too long to be forwarded (default 48 h) raises the alarm the
 * technician screen shows; it clears once the queue has been delivered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskService } from '../../src/app/kiosk.js';
import { createKioskApi } from '../../src/app/api.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import { openStore } from '../../src/store/index.js';
import { FakeTime } from '../fakes/fake-time.js';

const HOUR = 3_600_000;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('old pending check-ins', () => {
  it('raise pendingAlarm in the delivery status until they are forwarded', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-alarm-'));
    const time = new FakeTime(Date.parse('2026-11-25T08:00:00Z'));
    const store = openStore({ dir, logger: silentLogger, clock: time });
    const id = uuidv7Source(time).next();
    store.record({
      id,
      deviceId: 'd',
      checkpointId: 'c',
      direction: 'in',
      scannedAt: new Date(time.now() - 50 * HOUR).toISOString(),
      format: 'cccd',
      verdict: 'accept',
      reasons: ['identity-only'],
      subject: {},
    });
    const kiosk = new KioskService({ store, scanners: [], config: { deviceId: 'd', checkpointId: 'c', direction: 'in' }, clock: time, timers: time, ids: uuidv7Source(time), logger: silentLogger });
    const api = createKioskApi({ kiosk, clock: time, timers: time, logger: silentLogger, exportDir: join(dir, 'exports') });
    expect((await api.getStatus()).delivery.pendingAlarm).toBe(false); // no maintenance pass yet
    await kiosk.start();
    expect((await api.getStatus()).delivery).toMatchObject({ pendingAlarm: true, queueDepth: 1 });
    store.markForwarded([id], new Date(time.now()).toISOString());
    await time.advance(HOUR); // next hourly pass
    expect((await api.getStatus()).delivery).toMatchObject({ pendingAlarm: false, queueDepth: 0 });
    api.close();
    await kiosk.stop();
  });
});
