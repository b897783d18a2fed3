/**
 * Check-ins recorded while the kiosk was enrolled with one central server are never delivered to a
 * server of another root key: after an enrollment with another server they are kept on the kiosk,
 * marked rejected `held-previous-server`, audited. Re-enrolling with the same server delivers them.
 * Two real central servers on 127.0.0.1 (SQLite, each its own root key) and the real central link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../../src/core/system.js';
import { KioskService } from '../../src/app/kiosk.js';
import { linkToCentral } from '../../src/app/central-link.js';
import { openStore } from '../../src/store/index.js';
import { HELD_FOR_PREVIOUS_SERVER } from '../../src/app/settings.js';

let dir: string;
let a: CentralServer;
let b: CentralServer;
let kiosk: KioskService;
const ids = uuidv7Source(systemClock);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-other-server-'));
  a = await startCentral({ dataDir: join(dir, 'central-a'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['AAAA-CODE-1', 'AAAA-CODE-2'] });
  b = await startCentral({ dataDir: join(dir, 'central-b'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['BBBB-CODE-1', 'BBBB-CODE-2'] });
  const store = openStore({ dir: join(dir, 'kiosk'), logger: silentLogger, clock: systemClock });
  kiosk = new KioskService({ store, scanners: [], config: { deviceId: 'local-1', checkpointId: 'GATE-1', direction: 'in' }, clock: systemClock, timers: systemTimers, ids, logger: silentLogger });
});
afterAll(async () => {
  await kiosk.stop();
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

function record(n: number): string {
  const id = ids.next();
  kiosk.store.record({
    id, deviceId: kiosk.currentConfig().deviceId, checkpointId: 'GATE-1', direction: 'in',
    scannedAt: new Date().toISOString(), format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: { idType: 'cccd', idNo: `00109000000${n}` },
  });
  return id;
}

const link = (server: CentralServer, code: string) =>
  linkToCentral({ kiosk, dataDir: join(dir, 'kiosk'), serverUrl: server.url, enrollCode: code, clock: systemClock, timers: systemTimers, logger: silentLogger, heartbeatMs: 3_600_000, trustSyncMs: 3_600_000 });

it('pending check-ins of server A are not sent to server B after enrolling with B; those recorded after are', async () => {
  const first = link(a, 'AAAA-CODE-1');
  const delivered = record(1);
  expect((await first.drain(15_000))?.checkins ?? 0).toBe(0);
  expect(kiosk.store.get(delivered)?.delivery).toBe('forwarded');
  await first.stop();
  // Recorded while enrolled with A, not delivered yet.
  const held = record(2);
  const second = link(b, 'BBBB-CODE-1');
  expect((await second.drain(15_000))?.checkins ?? 0).toBe(0);
  expect(kiosk.store.get(held)).toMatchObject({ delivery: 'rejected', rejectReason: HELD_FOR_PREVIOUS_SERVER });
  expect(kiosk.store.auditLog(5).find((e) => e.action === 'held-previous-server')).toMatchObject({ actor: 'kiosk', detail: { checkins: 1, overrides: 0 } });
  const after = record(3);
  expect((await second.drain(15_000))?.checkins ?? 0).toBe(0);
  expect(kiosk.store.get(after)?.delivery).toBe('forwarded');
  await second.stop();
}, 60_000);

it('re-enrolling with a server of the same root key delivers what is pending', async () => {
  const pending = record(4);
  // A new code of the same server (B): a re-enrollment, with the root key the check-in was recorded for.
  const again = link(b, 'BBBB-CODE-2');
  expect((await again.drain(15_000))?.checkins ?? 0).toBe(0);
  expect(kiosk.store.get(pending)?.delivery).toBe('forwarded');
  expect(kiosk.store.auditLog(20).filter((e) => e.action === 'held-previous-server')).toHaveLength(1);
  await again.stop();
}, 60_000);
