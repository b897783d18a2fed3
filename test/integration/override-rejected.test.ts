/**
 * An officer override the central server refuses is kept, marked rejected with the server's reason,
 * counted and listed where technicians see refused check-ins (status delivery.rejected, techInfo
 * rejectedRecords, the kiosk's exports), never dropped with only a log line. And the kiosk refuses
 * an override reason the server would refuse (the same function, src/shared/text-safety.ts).
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/app.js';
import type { KioskService } from '../../src/app/kiosk.js';
import type { KioskApiService } from '../../src/app/api.js';
import { silentLogger, systemTimers } from '../../src/core/system.js';
import { startForwarder, type Forwarder } from '../../src/sync/forwarder.js';
import { CCCD_VALID } from '../fixtures/identity/samples.js';
import { startEnrolledKiosk, type EnrolledKiosk } from '../helpers/enrolled-kiosk.js';
import { waitFor } from '../helpers/sync-fixtures.js';

let enrolled: EnrolledKiosk;
let central: CentralServer;
let kiosk: KioskService;
let api: KioskApiService;
let forwarder: Forwarder | undefined;
let token: string;
/** The kiosk's clock runs `skew` ms ahead of the server's. */
let skew = 0;
const clock = { now: () => Date.now() + skew };

beforeEach(async () => {
  skew = 0;
  enrolled = await startEnrolledKiosk({ prefix: 'ovr-rej-', code: 'OVR-CODE-1', clock });
  ({ central, kiosk, api, token } = enrolled);
});

afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  await enrolled.close();
});

function forward(): Forwarder {
  forwarder = startForwarder({ store: kiosk.store, serverUrl: central.url, token, clock, timers: systemTimers, logger: silentLogger, idlePollMs: 50, backoff: { baseMs: 10, capMs: 50 } });
  return forwarder;
}

describe('an override the central server refuses', () => {
  it('is kept marked rejected with the server reason, counted in delivery.rejected, listed for technicians and in the exports', async () => {
    const scan = await api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    if (!scan.ok) throw new Error('scan failed');
    const id = scan.outcome.id;
    // The check-in goes while the clock is right; the override is made with the clock 25 h ahead.
    forward();
    await waitFor(() => kiosk.store.queueStats().depth === 0, 'check-in delivered');
    skew = 25 * 3_600_000;
    const { tech, officer } = await enrolled.boothSessions();
    await api.overrideCheckIn(officer, { id, verdict: 'reject', reason: 'photo does not match' });
    forwarder?.kick();
    await waitFor(() => (kiosk.store.queueStats().overridesRejected ?? 0) === 1, 'override refused', 10_000);

    // The server still has the verdict of the scan.
    const onServer = [];
    for await (const c of central.storage.exportCheckIns()) onServer.push(c);
    expect(onServer.map((c) => c.verdict)).toEqual(['accept']);

    const status = await api.getStatus();
    expect(status.delivery).toMatchObject({ rejected: 1, overridesRejected: 1 });
    const info = await api.techInfo(tech);
    expect(info.rejectedRecords).toHaveLength(1);
    expect(info.rejectedRecords[0]).toMatchObject({ kind: 'override', checkinId: id, verdict: 'reject', by: 'officer-117' });
    expect(info.rejectedRecords[0]!.reason).toMatch(/^at: .*check the kiosk's clock/);

    // The check-in record names the refused override (kiosk export, technician export).
    expect(kiosk.store.get(id)?.overridesRejected).toEqual([{ id: info.rejectedRecords[0]!.id, verdict: 'reject', reason: info.rejectedRecords[0]!.reason }]);
    const file = await api.techExport(tech, 'checkins');
    const lines = fs.readFileSync(file.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; overridesRejected?: unknown[] });
    expect(lines.find((l) => l.id === id)?.overridesRejected).toHaveLength(1);
  });

  it('is not made: a reason the server would refuse (U+0000) is refused at the kiosk, nothing recorded', async () => {
    const scan = await api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    if (!scan.ok) throw new Error('scan failed');
    const { officer } = await enrolled.boothSessions();
    await expect(api.overrideCheckIn(officer, { id: scan.outcome.id, verdict: 'reject', reason: 'photo\u0000does not match' })).rejects.toMatchObject({ code: 'refused', message: /NUL character \(U\+0000\)/ });
    expect(kiosk.store.get(scan.outcome.id)?.override).toBeUndefined();
    expect(kiosk.store.queueStats().overridesPending).toBe(0);
  });
});
