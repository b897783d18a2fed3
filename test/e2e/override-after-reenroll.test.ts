/**
 * A kiosk revoked from the operations room and enrolled again on the same data dir keeps the
 * right to override what it delivered before: the officer's override of a check-in delivered
 * under the old enrollment, made while the kiosk was revoked, reaches the central server after
 * `run --enroll NEW-CODE` and changes the central verdict (it was refused `foreign-checkin` for
 * ever). Along the way: the revocation is said once on stdout (`reenroll-needed`, heard by the
 * heartbeat and the forwarder), and a SIGTERM of the revoked kiosk names what it could not deliver
 * (`pending`). Real `checkpoint-kiosk run` processes (web mode, booth profile, the real WebSocket
 * protocol), a real central server on 127.0.0.1 with its SQLite file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectUi as connect, callUi as call } from '../helpers/ui-socket.js';
import { afterEach, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { killAndWait, waitFor } from '../helpers/sync-fixtures.js';

/** Birth year does not match the ID digits: reject inconsistent-id. */
const BAD_CARD = '001090001234|123456789|Nguyễn Văn An|01021991|Nam|Hà Nội|15082021';
const PIN = '135792';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});


function startKiosk(dataDir: string, serverUrl: string, enrollCode: string): CliProcess {
  const p = startCli(['run', '--data-dir', dataDir, '--ui', 'web', '--profile', 'booth', '--server', serverUrl, '--enroll', enrollCode, '--heartbeat-seconds', '5']);
  cleanups.push(() => (p.child.exitCode === null && p.child.signalCode === null ? killAndWait(p.child, 'SIGKILL') : undefined));
  return p;
}

const deviceIdOf = (kioskDir: string) => (JSON.parse(readFileSync(join(kioskDir, 'enrollment.json'), 'utf8')) as { deviceId: string }).deviceId;

async function stored(server: CentralServer, id: string): Promise<Record<string, unknown> | undefined> {
  for await (const c of server.storage.exportCheckIns()) if (c.id === id) return c as unknown as Record<string, unknown>;
  return undefined;
}

it('revoked, overridden while revoked, enrolled again with a new code: the override reaches the server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-reenroll-override-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startCentral({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['REENROLL-CODE-1', 'REENROLL-CODE-2'] });
  cleanups.push(() => server.close());
  const kioskDir = join(dir, 'kiosk');
  expect(runCli(['run', '--data-dir', kioskDir, '--set-pin'], `${PIN}\n`).code).toBe(0);

  // 1. Enrolled with the first code; a reject is recorded and delivered.
  let kiosk = startKiosk(kioskDir, server.url, 'REENROLL-CODE-1');
  const ws = await connect((await kiosk.waitFor((l) => l.event === 'ui', 30_000)).url as string);
  cleanups.push(() => ws.close());
  const scanned = await call(ws, 'submitScan', [{ text: BAD_CARD, source: 'wedge' }]);
  const checkinId = (scanned.value as { outcome: { id: string } }).outcome.id;
  await waitFor(async () => (await stored(server, checkinId)) !== undefined, 'the check-in on the server', 60_000);
  const oldDevice = deviceIdOf(kioskDir);

  // 2. Revoked from the operations room; the heartbeat hears it and the kiosk says so once.
  const from = kiosk.lines.length;
  const revoked = await fetch(`${server.url}/dashboard/devices/${oldDevice}/revoke`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'confirm=yes',
    redirect: 'manual',
  });
  expect(revoked.status).toBe(303);
  await kiosk.waitFor((l) => l.event === 'error' && l.reason === 'reenroll-needed', 30_000, from);

  // 3. The officer overrides it while the kiosk is revoked: the forwarder is refused too.
  const tech = (await call(ws, 'techUnlock', [PIN])).value as { session: string };
  const { code } = (await call(ws, 'techIssueOfficerCode', [tech.session, 'officer-7'])).value as { code: string };
  const officer = (await call(ws, 'officerSignIn', ['officer-7', code])).value as { session: string };
  const overridden = await call(ws, 'overrideCheckIn', [officer.session, { id: checkinId, verdict: 'accept', reason: 'paper ID checked' }]);
  expect(overridden).toMatchObject({ ok: true });
  // Past the next heartbeat too: each channel has been refused by now.
  await new Promise((r) => setTimeout(r, 6_000));
  expect(kiosk.lines.slice(from).filter((l) => l.reason === 'reenroll-needed')).toHaveLength(1);

  // 4. SIGTERM: what could not be delivered is named.
  const stopFrom = kiosk.lines.length;
  expect(await killAndWait(kiosk.child, 'SIGTERM')).toBe(0);
  const pending = kiosk.lines.slice(stopFrom).find((l) => l.event === 'pending');
  expect(pending).toMatchObject({ checkins: 0, overrides: 1 });
  expect(pending?.message).toContain('sent once the kiosk is enrolled with a new code');
  expect(await stored(server, checkinId)).toMatchObject({ verdict: 'reject' });

  // 5. Enrolled again on the same data dir with a new code: the override arrives and counts.
  kiosk = startKiosk(kioskDir, server.url, 'REENROLL-CODE-2');
  await kiosk.waitFor((l) => l.event === 'ui', 30_000);
  await waitFor(async () => (await stored(server, checkinId))?.verdict === 'accept', 'the override on the server', 60_000);
  const newDevice = deviceIdOf(kioskDir);
  expect(newDevice).not.toBe(oldDevice);
  expect(await server.storage.predecessorOf(newDevice)).toBe(oldDevice);
  expect(await stored(server, checkinId)).toMatchObject({ verdict: 'accept', originalVerdict: 'reject', overrides: [{ verdict: 'accept', by: 'officer-7' }] });
  expect(kiosk.lines.filter((l) => l.event === 'error')).toEqual([]);
}, 180_000);
