/**
 * Wrong technician PINs typed on the screen are audited (they were only logged on stderr, while
 * export --reveal's were audited), bounded so a flood cannot fill the audit log.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createKioskApi, shouldAuditFailure, type KioskApiService } from '../../src/app/api.js';
import { KioskService } from '../../src/app/kiosk.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import { FakeTime } from '../fakes/fake-time.js';

let dir: string;
let time: FakeTime;
let kiosk: KioskService;
let api: KioskApiService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-unlock-audit-'));
  time = new FakeTime(Date.UTC(2026, 11, 7, 5));
  const store = openStore({ dir, logger: silentLogger, clock: time });
  kiosk = new KioskService({ store, scanners: [], config: { deviceId: 'local-1', checkpointId: 'GATE-1', direction: 'in' }, clock: time, timers: time, ids: uuidv7Source(time), logger: silentLogger });
  api = createKioskApi({ kiosk, clock: time, timers: time, logger: silentLogger, exportDir: join(dir, 'exports'), pin: { scryptN: 1024, setupCodeFile: join(dir, 'setup-code') } });
  const set = await api.techSetup(readFileSync(join(dir, 'setup-code'), 'utf8').trim(), '482913');
  if (!set.ok || !set.session) throw new Error('setup failed');
  await api.techLock(set.session);
});
afterEach(async () => {
  api.close();
  await kiosk.stop();
  rmSync(dir, { recursive: true, force: true });
});

const entries = (action: string) => kiosk.store.auditLog(1000).filter((e) => e.action === action).reverse();

it('audits the first wrong PIN, the one that starts the waits, every 100th, and the right PIN ending the run', async () => {
  for (let i = 0; i < 200; i++) {
    const r = await api.techUnlock('000000');
    expect(r).toMatchObject({ ok: false, reason: 'wrong-pin' });
    // Refused unchecked during a wait: not counted, not audited.
    if (i === 10) expect(await api.techUnlock('000000')).toMatchObject({ ok: false, reason: 'wait' });
    await time.advance(30_000);
  }
  const refused = entries('tech-unlock-refused');
  expect(refused.map((e) => e.detail?.failures)).toEqual([1, 4, 100, 200]);
  expect(refused[0]).toMatchObject({ actor: 'technician', detail: { via: 'screen' } });
  expect(refused[1]?.detail?.retryAt).toBeDefined();
  expect((await api.techUnlock('482913')).ok).toBe(true);
  expect(entries('tech-unlock')).toEqual([expect.objectContaining({ detail: { via: 'screen', afterFailures: 200 } })]);
});

it('shouldAuditFailure follows the free attempts', () => {
  expect([1, 2, 3, 4, 5, 99, 100, 101, 200].filter((n) => shouldAuditFailure(n, 3))).toEqual([1, 4, 100, 200]);
  expect([1, 2, 6, 7].filter((n) => shouldAuditFailure(n, 5))).toEqual([1, 6]);
});
