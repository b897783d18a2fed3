/**
 * A manual entry (an officer types the ID card in at the booth) carries its officer to the central
 * server: CheckIn.manual {by}, an optional protocol v1 member, stored by the kiosk (schema v9),
 * forwarded with the check-in and shown by central export. A scanned check-in has none.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { validateCheckIn } from '../../server/checkin-validation.js';
import { buildKiosk } from '../../src/app/build.js';
import type { KioskService } from '../../src/app/kiosk.js';
import { createKioskApi, type KioskApiService } from '../../src/app/api.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import { enroll } from '../../src/sync/enrollment.js';
import { startForwarder, type Forwarder } from '../../src/sync/forwarder.js';
import { CCCD_VALID } from '../fixtures/identity/samples.js';
import { waitFor } from '../helpers/sync-fixtures.js';


let tmp: string;
let central: CentralServer;
let kiosk: KioskService;
let api: KioskApiService;
let forwarder: Forwarder | undefined;
let token: string;

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'manual-'));
  central = await startCentral({ dataDir: path.join(tmp, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['MANUAL-CODE-1'] });
  const dataDir = path.join(tmp, 'kiosk');
  token = (await enroll({ serverUrl: central.url, code: 'MANUAL-CODE-1', dataDir, device: { name: 't', version: '0', platform: 'linux' } })).token;
  kiosk = await buildKiosk({ dataDir, scanners: [], clock: systemClock, timers: systemTimers, logger: silentLogger });
  await kiosk.start();
  api = createKioskApi({ kiosk, clock: systemClock, timers: systemTimers, logger: silentLogger, exportDir: path.join(tmp, 'exports'), pin: { scryptN: 1024, setupCodeFile: path.join(dataDir, 'setup-code') } });
});

afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  api.close();
  await kiosk.stop();
  await central.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a manual entry', () => {
  it('carries its officer (manual.by) to the central server and its export; a scanned check-in does not', async () => {
    const tech = await api.techSetup(fs.readFileSync(path.join(tmp, 'kiosk', 'setup-code'), 'utf8').trim(), '246813');
    if (!tech.ok) throw new Error(tech.reason);
    await api.techConfigure(tech.session, { profile: 'booth' });
    const { code } = await api.techIssueOfficerCode(tech.session, 'officer-117');
    const officer = await api.officerSignIn('officer-117', code);
    if (!officer.ok) throw new Error(officer.reason);
    const typed = await api.manualEntry(officer.session, { idNo: '001085012345', name: 'Nguyễn Văn An', dob: '1985-03-15', sex: 'M' });
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
