/**
 * A manual entry (an officer types the ID card in at the booth) carries its officer to the central
 * server: CheckIn.manual {by}, an optional protocol v1 member, stored by the kiosk (schema v9),
 * forwarded with the check-in and shown by central export. A scanned check-in has none.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/app.js';
import { validateCheckIn } from '../../server/checkin-validation.js';
import type { KioskService } from '../../src/app/kiosk.js';
import type { KioskApiService } from '../../src/app/api.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
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

beforeEach(async () => {
  enrolled = await startEnrolledKiosk({ prefix: 'manual-', code: 'MANUAL-CODE-1', clock: systemClock });
  ({ central, kiosk, api, token } = enrolled);
});

afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  await enrolled.close();
});

describe('a manual entry', () => {
  it('carries its officer (manual.by) to the central server and its export; a scanned check-in does not', async () => {
    const { officer } = await enrolled.boothSessions();
    const typed = await api.manualEntry(officer, { idNo: '001085012345', name: 'Nguyễn Văn An', dob: '1985-03-15', sex: 'M' });
    if (!typed.ok) throw new Error(typed.error);
    const scanned = await api.submitScan({ text: CCCD_VALID[1]!.text, source: 'wedge' });
    if (!scanned.ok) throw new Error(scanned.error);
    expect(kiosk.store.get(typed.outcome.id)?.manual).toEqual({ by: 'officer-117' });
    expect(kiosk.store.get(scanned.outcome.id)?.manual).toBeUndefined();

    // What travels is byte for byte the record the store reads (the wire JSON is spliced from columns).
    const wire = kiosk.store.pendingWire!(10);
    expect(wire.map((w) => w.json)).toEqual(kiosk.store.pendingBatch(10).map((c) => JSON.stringify(c)));
    expect(JSON.parse(wire.find((w) => w.id === typed.outcome.id)!.json)).toMatchObject({ manual: { by: 'officer-117' } });

    forwarder = startForwarder({ store: kiosk.store, serverUrl: central.url, token, clock: systemClock, timers: systemTimers, logger: silentLogger, idlePollMs: 50 });
    await waitFor(() => kiosk.store.queueStats().depth === 0, 'check-ins delivered');
    const onServer = new Map<string, { manual?: unknown }>();
    for await (const c of central.storage.exportCheckIns()) onServer.set(c.id, c);
    expect(onServer.get(typed.outcome.id)?.manual).toEqual({ by: 'officer-117' });
    expect(onServer.get(scanned.outcome.id)).not.toHaveProperty('manual');
  });

  it('is refused alone at the server when manual.by is not a short text', () => {
    const base = {
      id: '0193a0c5-7e2b-7c41-9d1e-2f6a3b8c9d01', deviceId: 'dev-1', checkpointId: 'cp-1', direction: 'in', scannedAt: new Date().toISOString(),
      format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: {},
    };
    const now = Date.now();
    expect(validateCheckIn({ ...base, manual: { by: 'officer-117' } }, now)).toMatchObject({ ok: true, value: { manual: { by: 'officer-117' } } });
    expect(validateCheckIn({ ...base, manual: { by: 'officer\u0000' } }, now)).toMatchObject({ ok: false, reason: 'manual.by: contains a NUL character (U+0000)' });
    expect(validateCheckIn({ ...base, manual: 'yes' }, now)).toMatchObject({ ok: false, reason: 'manual: not an object' });
    expect(validateCheckIn(base, now)).toMatchObject({ ok: true });
  });
});
