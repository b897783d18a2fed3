/**
 * Resuming an enrollment whose answer was lost (server/enrollment.ts, protocol extension
 * `attempt`), on both backends: the same code with the same attempt secret gives the device the
 * first try made, with a new token (the first one stops working); another secret, no secret, a
 * revoked device or a code spent more than 7 days ago is "already used" as before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addEnrollmentCode, deviceForToken, enrollDevice } from '../../server/enrollment.js';
import { RESUME_WINDOW_MS } from '../../server/storage/enroll-attempt.js';
import { successionProof } from '../../src/sync/succession-proof.js';
import { openStorage } from '../../server/storage/open.js';
import { openSqliteStorage } from '../../server/storage/sqlite-storage.js';
import type { CentralStorage } from '../../server/storage/types.js';
import { pgBackend } from '../helpers/postgres.js';

const NOW = Date.parse('2026-12-07T03:00:00.000Z');
const DEVICE = { name: 'kiosk-1', version: '0.1.0', platform: 'linux' };
const SECRET = 'a'.repeat(20) + 'B_-'.repeat(7) + 'cd';
const OTHER = 'z'.repeat(43);

describe.each(['sqlite', 'postgres'] as const)('enrollment resumed on %s', (backend) => {
  const pg = pgBackend(backend);
  let dir: string;
  let storage: CentralStorage;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-resume-'));
    const database = await pg.database();
    storage = database ? await openStorage({ database }) : openSqliteStorage(dir);
  });
  afterEach(async () => {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same device a new token for the same secret, and nothing for another or none', async () => {
    await addEnrollmentCode(storage, 'K7QM-2XRP-9HTD', NOW - 3_600_000);
    const first = await enrollDevice(storage, 'K7QM-2XRP-9HTD', DEVICE, NOW, undefined, SECRET);
    if (!first.ok) throw new Error(first.message);
    expect(first.resumed).toBeUndefined();

    for (const secret of [OTHER, undefined]) {
      const refused = await enrollDevice(storage, 'K7QM-2XRP-9HTD', DEVICE, NOW + 1000, undefined, secret);
      expect(refused).toMatchObject({ ok: false, status: 409, error: 'enrollment-code-used' });
    }
    // The code as a person typed it again (case, spaces) is the same code.
    const again = await enrollDevice(storage, 'k7qm-2xrp-9htd ', DEVICE, NOW + 60_000, undefined, SECRET);
    if (!again.ok) throw new Error(again.message);
    expect(again).toMatchObject({ deviceId: first.deviceId, resumed: true });
    expect(again.token).not.toBe(first.token);
    expect(await deviceForToken(storage, again.token)).toBe(first.deviceId);
    expect(await deviceForToken(storage, first.token)).toBeUndefined();
  });

  it('tells a resumed re-enrollment the succession its first try recorded', async () => {
    await addEnrollmentCode(storage, 'FIRST-CODE-01', NOW - 3_600_000);
    const before = await enrollDevice(storage, 'FIRST-CODE-01', DEVICE, NOW - 60_000);
    if (!before.ok) throw new Error(before.message);
    await addEnrollmentCode(storage, 'SECOND-CODE-2', NOW - 3_600_000);
    const claim = { deviceId: before.deviceId, proof: successionProof(before.token, before.deviceId, 'SECOND-CODE-2') };
    const first = await enrollDevice(storage, 'SECOND-CODE-2', DEVICE, NOW, claim, SECRET);
    expect(first).toMatchObject({ ok: true, succession: { deviceId: before.deviceId, outcome: 'recorded' } });
    const again = await enrollDevice(storage, 'SECOND-CODE-2', DEVICE, NOW + 1000, claim, SECRET);
    expect(again).toMatchObject({ ok: true, resumed: true, succession: { deviceId: before.deviceId, outcome: 'recorded' } });
  });

  it('does not resume once the device is revoked, nor more than 7 days after the code was spent', async () => {
    await addEnrollmentCode(storage, 'REVOKED-CODE-1', NOW - 3_600_000);
    const revoked = await enrollDevice(storage, 'REVOKED-CODE-1', DEVICE, NOW, undefined, SECRET);
    if (!revoked.ok) throw new Error(revoked.message);
    expect(await storage.fleet.revokeDevice(revoked.deviceId, NOW + 1000)).toBe(true);
    expect(await enrollDevice(storage, 'REVOKED-CODE-1', DEVICE, NOW + 2000, undefined, SECRET)).toMatchObject({ ok: false, error: 'enrollment-code-used' });

    await addEnrollmentCode(storage, 'OLD-SPENT-CODE', NOW - 3_600_000);
    const old = await enrollDevice(storage, 'OLD-SPENT-CODE', DEVICE, NOW, undefined, SECRET);
    if (!old.ok) throw new Error(old.message);
    expect(await enrollDevice(storage, 'OLD-SPENT-CODE', DEVICE, NOW + RESUME_WINDOW_MS + 1, undefined, SECRET)).toMatchObject({ ok: false, error: 'enrollment-code-used' });
    const within = await enrollDevice(storage, 'OLD-SPENT-CODE', DEVICE, NOW + RESUME_WINDOW_MS, undefined, SECRET);
    expect(within).toMatchObject({ ok: true, deviceId: old.deviceId, resumed: true });
  });
});
