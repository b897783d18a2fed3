/**
 * Privacy on the central server, on a real SQLite data dir: identity fields sealed at rest with
 * tracing by keyed hash (same answers as before), old databases sealed in place, the retention
 * purge with receipts in a hash-chained audit log (`central audit --verify`), the signed lawful
 * export that records who asked and why, and the dashboard flagging devices that hold data past
 * their retention.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import Database from 'better-sqlite3';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogger } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { kidOfPublicKey } from '../../src/credentials/trust/kid.js';
import { centralMain } from '../../server/cli.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { openCentralDb } from '../../server/db.js';
import { recordHeartbeat } from '../../server/heartbeats.js';
import { purgeExpired } from '../../server/retention.js';
import { DEFAULT_FLEET_THRESHOLDS, judgeDevice } from '../../server/ops/fleet.js';
import { storageOpsQueries } from '../../server/ops/storage-queries.js';
import { openStorage } from '../../server/storage/open.js';
import type { CentralStorage } from '../../server/storage/types.js';
import { trace } from '../../server/trace.js';
import { findInFiles } from '../helpers/pii-scan.js';
import { plantedSubject } from '../fixtures/store/pre-seal.js';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const DAY = 86_400_000;
let dir: string;
let storage: CentralStorage | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'central-privacy-'));
});
afterEach(async () => {
  await storage?.close();
  storage = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const dbFiles = () => ['central.sqlite', 'central.sqlite-wal', 'central.sqlite-shm'].map((f) => path.join(dir, f));

function checkIn(i: number, over: Partial<CheckIn> = {}): CheckIn {
  return {
    id: `0190b000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
    deviceId: 'dev-1',
    checkpointId: i % 2 ? 'cp-b' : 'cp-a',
    direction: 'in',
    scannedAt: new Date(T0 + i * 60_000).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: plantedSubject(i),
    ...over,
  };
}

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const code = await centralMain(args, { stdout: (t) => out.push(...t.split('\n').filter(Boolean)), stderr: (t) => (err += t) });
  return { code, out, err };
}

const needles = (cs: CheckIn[]) => cs.flatMap((c) => [c.subject.idNo!, c.subject.name!]);

describe('file modes', () => {
  it('keeps central.sqlite and its -wal/-shm owner-only (0600), like the kiosk database, and narrows an older 0644 one', async () => {
    storage = await openStorage({ dataDir: dir });
    await ingestCheckIns(storage, 'dev-1', [checkIn(0)], new Date(T0).toISOString());
    const files = ['central.sqlite', 'central.sqlite-wal', 'central.sqlite-shm'];
    for (const f of files) expect({ f, mode: fs.statSync(path.join(dir, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
    await storage.close();
    storage = undefined;
    for (const f of files) if (fs.existsSync(path.join(dir, f))) fs.chmodSync(path.join(dir, f), 0o644);
    storage = await openStorage({ dataDir: dir });
    for (const f of files) if (fs.existsSync(path.join(dir, f))) expect({ f, mode: fs.statSync(path.join(dir, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
  });

  it('narrows a data-key.json restored as 0644 to 0600 at open and warns that it was too open', async () => {
    storage = await openStorage({ dataDir: dir });
    await storage.close();
    storage = undefined;
    const keyFile = path.join(dir, 'data-key.json');
    fs.chmodSync(keyFile, 0o644);
    const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
    const logger = jsonLogger({ level: 'warn', write: (line) => void warnings.push(JSON.parse(line) as { msg: string }) });
    storage = await openStorage({ dataDir: dir, logger });
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/readable by group or others; narrowed to 0600/), file: 'data-key.json', mode: '644' })]);
  });
});

describe('sealed at rest', () => {
  it('holds no name or ID number in clear; export and tracing answer as before', async () => {
    storage = await openStorage({ dataDir: dir });
    const sent = Array.from({ length: 40 }, (_, i) => checkIn(i));
    const result = await ingestCheckIns(storage, 'dev-1', sent, new Date(T0).toISOString());
    expect(result.accepted).toHaveLength(40);
    expect((await ingestCheckIns(storage, 'dev-1', sent.slice(0, 2), new Date(T0).toISOString())).duplicate).toHaveLength(2);
    expect(findInFiles(dbFiles(), needles(sent))).toEqual([]);
    expect(fs.statSync(path.join(dir, 'data-key.json')).mode & 0o777).toBe(0o600);

    const exported: CheckIn[] = [];
    for await (const c of storage.exportCheckIns()) exported.push(c);
    expect(exported).toMatchObject(sent);

    const t = await trace(storage, { idNo: sent[10]!.subject.idNo!, fromMs: T0, toMs: T0 + DAY, windowMinutes: 5 });
    expect(t.landmarks.map((l) => l.checkIn)).toMatchObject([sent[10]]);
    // Same checkpoint (cp-a: even i) within ±5 min of i=10: i = 6, 8, 12, 14.
    expect(t.landmarks[0]!.nearby.map((c) => c.id)).toEqual([6, 8, 12, 14].map((i) => sent[i]!.id));
    expect(t.landmarks[0]!.nearby[0]!.subject).toEqual(sent[6]!.subject);
    // The alternative ID (a QID) is traced too.
    await ingestCheckIns(storage, 'dev-1', [checkIn(100, { subject: { idType: 'qid', altId: 'QID-777-ĐẶNG' } })], new Date(T0).toISOString());
    expect((await trace(storage, { idNo: 'QID-777-ĐẶNG', fromMs: T0, toMs: T0 + DAY, windowMinutes: 0 })).landmarks).toHaveLength(1);
    await storage.close();
    storage = undefined;

    const listed = await cli(['export', '--data-dir', dir]);
    expect(listed.out.map((l) => JSON.parse(l) as CheckIn).slice(0, 40)).toMatchObject(sent);
  });

  it('seals a database written before sealing in place, and refuses to start without its key', async () => {
    const db = openCentralDb(dir);
    const old = Array.from({ length: 30 }, (_, i) => checkIn(i));
    const ins = db.prepare(
      `INSERT INTO checkins (id, device_id, sender_device_id, checkpoint_id, direction, scanned_at, scanned_ms, format, verdict, id_no, alt_id, record, received_at)
       VALUES (?, 'dev-1', 'dev-1', ?, 'in', ?, ?, 'cccd', 'accept', ?, NULL, ?, ?)`,
    );
    for (const c of old) ins.run(c.id, c.checkpointId, c.scannedAt, Date.parse(c.scannedAt), c.subject.idNo, JSON.stringify(c), c.scannedAt);
    db.prepare("INSERT INTO meta (key, value) VALUES ('seal-pending', '1')").run();
    db.close();
    expect(findInFiles(dbFiles(), needles(old)).length).toBeGreaterThan(0);

    storage = await openStorage({ dataDir: dir });
    const exported: CheckIn[] = [];
    for await (const c of storage.exportCheckIns()) exported.push(c);
    expect(exported).toMatchObject(old);
    expect((await trace(storage, { idNo: old[3]!.subject.idNo!, fromMs: T0, toMs: T0 + DAY, windowMinutes: 0 })).landmarks).toHaveLength(1);
    await storage.close();
    storage = undefined;
    expect(findInFiles(dbFiles(), needles(old))).toEqual([]);

    fs.renameSync(path.join(dir, 'data-key.json'), path.join(dir, 'moved.json'));
    await expect(openStorage({ dataDir: dir })).rejects.toThrow(/data-key\.json is missing/);
  });
});

describe('retention and the audit log', () => {
  it('purges past retention with per-day receipts that verify, and `central audit --verify` catches an edit', async () => {
    storage = await openStorage({ dataDir: dir });
    // Two check-ins a day for 5 days.
    const all = Array.from({ length: 10 }, (_, i) => checkIn(i, { scannedAt: new Date(T0 + Math.floor(i / 2) * DAY + (i % 2) * 60_000).toISOString() }));
    // Received after the last scan (a scan time more than a day ahead of the server is refused).
    await ingestCheckIns(storage, 'dev-1', all, new Date(T0 + 5 * DAY).toISOString());
    const now = T0 + 3 * DAY + 21 * DAY - 1; // days 0..2 are past 21 days
    expect(await purgeExpired(storage, now, 21)).toBe(6);
    expect(await storage.countCheckIns()).toBe(4);
    await storage.close();
    storage = undefined;
    expect(findInFiles(dbFiles(), needles(all.slice(0, 6)))).toEqual([]);

    const audit = await cli(['audit', '--data-dir', dir]);
    const receipt = audit.out.map((l) => JSON.parse(l) as { action: string; detail: Record<string, unknown> }).find((e) => e.action === 'purge');
    expect(receipt?.detail).toMatchObject({ retentionDays: 21, removed: 6, days: { '2026-11-25': 2, '2026-11-26': 2, '2026-11-27': 2 } });
    expect(await cli(['audit', '--data-dir', dir, '--verify'])).toMatchObject({ code: 0, out: [expect.stringContaining('"ok":true') as unknown] });

    const db = new Database(path.join(dir, 'central.sqlite'));
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET detail = replace(detail, '\"removed\":6', '\"removed\":5')").run();
    db.close();
    const broken = await cli(['audit', '--data-dir', dir, '--verify']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.out[0]!)).toMatchObject({ ok: false, brokenAt: 1 });
  });
});

describe('lawful export', () => {
  it('writes a signed, timestamped file of the asked range and checkpoint, and audits who asked and why', async () => {
    storage = await openStorage({ dataDir: dir });
    const all = Array.from({ length: 20 }, (_, i) => checkIn(i));
    await ingestCheckIns(storage, 'dev-1', all, new Date(T0).toISOString());
    await storage.close();
    storage = undefined;

    const out = path.join(dir, 'export.jws');
    const args = ['export', '--data-dir', dir, '--from', new Date(T0 + 2 * 60_000).toISOString(), '--to', new Date(T0 + 9 * 60_000).toISOString(), '--checkpoint', 'cp-a'];
    expect(await cli([...args, '--requested-by', 'Inspector Lê Văn Tám', '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/--reason/) as unknown });
    const done = await cli([...args, '--requested-by', 'Inspector Lê Văn Tám', '--reason', 'Case 12/2026, Decree 13 art. 17', '--out', out]);
    expect(done.code).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);

    const jws = fs.readFileSync(out, 'utf8').trim();
    const rootPublic = createPublicKey(fs.readFileSync(path.join(dir, 'root-key.pem'), 'utf8'));
    const { payload, protectedHeader } = await compactVerify(jws, rootPublic);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'checkpoint-kiosk-export+jws', kid: kidOfPublicKey(rootPublic) });
    expect(typeof decodeProtectedHeader(jws).iat).toBe('number');
    const body = JSON.parse(Buffer.from(payload).toString('utf8')) as { exportedAt: string; request: Record<string, unknown>; count: number; checkins: CheckIn[] };
    expect(body.request).toMatchObject({ requestedBy: 'Inspector Lê Văn Tám', reason: 'Case 12/2026, Decree 13 art. 17', checkpoint: 'cp-a' });
    expect(body.checkins).toMatchObject([2, 4, 6, 8].map((i) => all[i]));
    expect(body.count).toBe(4);
    // A changed byte breaks the signature.
    const [h, p, s] = jws.split('.') as [string, string, string];
    const tampered = `${h}.${Buffer.from(Buffer.from(p, 'base64url').toString().replace('cp-a', 'cp-b')).toString('base64url')}.${s}`;
    await expect(compactVerify(tampered, rootPublic)).rejects.toThrow();

    expect(await cli([...args, '--requested-by', 'x y', '--reason', 'again', '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/exists already/) as unknown });
    const audit = (await cli(['audit', '--data-dir', dir])).out.map((l) => JSON.parse(l) as { actor: string; action: string; detail: Record<string, unknown> });
    expect(audit.find((e) => e.action === 'lawful-export')).toMatchObject({
      actor: 'Inspector Lê Văn Tám',
      detail: { reason: 'Case 12/2026, Decree 13 art. 17', checkpoint: 'cp-a', count: 4, sha256: JSON.parse(done.out[0]!).sha256 as unknown },
    });
  });
});

describe('CLI reads of personal data are audited', () => {
  it('plain export and trace each leave one audit entry with what, when and counts, never a name or ID number', async () => {
    storage = await openStorage({ dataDir: dir });
    const all = Array.from({ length: 6 }, (_, i) => checkIn(i));
    await ingestCheckIns(storage, 'dev-1', all, new Date(T0).toISOString());
    await storage.close();
    storage = undefined;

    const exported = await cli(['export', '--data-dir', dir]);
    expect(exported.code).toBe(0);
    expect(exported.out).toHaveLength(6);
    const traced = await cli(['trace', '--data-dir', dir, '--id', all[0]!.subject.idNo!, '--from', new Date(T0 - DAY).toISOString(), '--to', new Date(T0 + DAY).toISOString(), '--window-minutes', '5']);
    expect(traced.code).toBe(0);
    const result = JSON.parse(traced.out[0]!) as { landmarks: { nearby: unknown[] }[] };

    const auditOut = await cli(['audit', '--data-dir', dir]);
    const audit = auditOut.out.map((l) => JSON.parse(l) as { actor: string; action: string; at: string; detail: Record<string, unknown> });
    expect(audit.filter((e) => e.action === 'export')).toEqual([expect.objectContaining({ actor: 'cli', detail: { via: 'cli', count: 6 } })]);
    expect(audit.filter((e) => e.action === 'trace')).toEqual([
      expect.objectContaining({
        actor: 'cli',
        detail: {
          via: 'cli',
          from: new Date(T0 - DAY).toISOString(),
          to: new Date(T0 + DAY).toISOString(),
          windowMinutes: 5,
          landmarks: result.landmarks.length,
          nearby: result.landmarks.reduce((n, l) => n + l.nearby.length, 0),
          truncated: false,
        },
      }),
    ]);
    expect(result.landmarks.length).toBeGreaterThan(0);
    for (const e of audit) expect(Number.isFinite(Date.parse(e.at))).toBe(true);
    for (const n of needles(all)) expect(auditOut.out.join('\n')).not.toContain(n);
    expect(await cli(['audit', '--data-dir', dir, '--verify'])).toMatchObject({ code: 0 });
  });
});

describe('operations room', () => {
  it('lists a device whose heartbeat reports identity data past retention under past-retention', async () => {
    storage = await openStorage({ dataDir: dir });
    const now = T0 + 30 * DAY;
    const row = (deviceId: string, oldestIdentityAt: string) => ({
      deviceId, name: deviceId, enrolledAt: new Date(T0).toISOString(), lastHeartbeatMs: now, queueDepth: 0, oldestPendingAt: null,
      clockOffsetMs: 0, trustIssuedAt: new Date(now).toISOString(), version: '1', oldestIdentityAt,
    });
    const old = judgeDevice(row('d-old', new Date(now - 25 * DAY).toISOString()), now, now, DEFAULT_FLEET_THRESHOLDS);
    const ok = judgeDevice(row('d-ok', new Date(now - 20 * DAY).toISOString()), now, now, DEFAULT_FLEET_THRESHOLDS);
    expect(old.problems).toEqual(['past-retention']);
    expect(ok.problems).toEqual([]);
    // The heartbeat's field reaches the rows the operations room judges.
    const db = new Database(path.join(dir, 'central.sqlite'));
    db.prepare("INSERT INTO devices (id, name, version, platform, token_hash, enrolled_at) VALUES ('d-old', 'booth 1', '1', 'linux', 'h1', ?)").run(new Date(T0).toISOString());
    db.close();
    await recordHeartbeat(storage, 'd-old', { queueDepth: 0, oldestPendingAt: null, lastScanAt: null, scanners: [], trustIssuedAt: null, version: '1', oldestIdentityAt: new Date(now - 25 * DAY).toISOString() }, now);
    const rows = await storageOpsQueries(storage).devices(10);
    expect(rows[0]?.oldestIdentityAt).toBe(new Date(now - 25 * DAY).toISOString());
  });
});
