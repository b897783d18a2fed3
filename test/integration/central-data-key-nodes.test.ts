/**
 * One data key per PostgreSQL database, on a real throwaway cluster. Node A starts without
 * --data-dir (identity fields in clear, a warning in its log); node B starts with a data dir and
 * binds its key: the database records the key's fingerprint, B seals A's clear rows, and A stops
 * storing or tracing (503 naming the fix) instead of writing clear rows beside sealed ones. From
 * then on a node or an export/trace without that key — no --data-dir, a fresh data dir, a data dir
 * holding another key — is refused (exit 2) before anything is written, and a trace with the key
 * finds every check-in of the person, clear or sealed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { jsonLogger, silentLogger, systemClock } from '../../src/core/system.js';
import { startPgCluster } from '../helpers/postgres.js';
import type { PgCluster } from '../helpers/postgres.js';

let cluster: PgCluster;
let dir: string;
const nodes: CentralServer[] = [];
const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const PERSON = '001090000001';

beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off', synchronous_commit: 'off' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-data-key-'));
}, 120_000);
afterAll(async () => {
  for (const n of nodes) await n.close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stopSignal: Promise.resolve() });
  return { code, stdout, stderr };
}

function checkIn(i: number, idNo: string) {
  return {
    id: `01a31000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    deviceId: 'k',
    checkpointId: 'cp-1',
    direction: 'in',
    scannedAt: new Date(T0 + i * 60_000).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idType: 'cccd', idNo, name: `Nguyễn Văn ${i}` },
  };
}

async function post(url: string, token: string, records: unknown[]): Promise<Response> {
  return fetch(`${url}/api/v1/checkins`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ checkins: records }) });
}

it('binds the first data key to the database and refuses every node or command without it', async () => {
  const database = await cluster.createDatabase();
  const logged: string[] = [];
  const a = await startCentral({ database, port: 0, logger: jsonLogger({ level: 'warn', write: (l) => logged.push(l) }), clock: systemClock, enrollmentCodes: ['KEY-CODE-1'] });
  nodes.push(a);
  const warnings = logged.filter((l) => l.includes('identity fields stored unsealed'));
  expect(warnings).toHaveLength(1);
  expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', sealed: false });

  const enr = await fetch(`${a.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'KEY-CODE-1', device: { name: 'k', version: '0', platform: 'linux' } }) });
  const { token } = (await enr.json()) as { token: string };
  // Before any key: the person's first check-in and a neighbour's go in clear.
  expect((await post(a.url, token, [checkIn(0, PERSON), checkIn(1, '001090000002')])).status).toBe(200);

  const dirB = path.join(dir, 'b');
  const b = await startCentral({ database, dataDir: dirB, port: 0, logger: silentLogger, clock: systemClock });
  nodes.push(b);
  const raw = new pg.Pool({ connectionString: database });
  try {
    const { rows } = await raw.query<{ value: string }>("SELECT value FROM central_meta WHERE key = 'data-key'");
    expect(rows[0]?.value).toMatch(/^[0-9a-f]{64}$/);
    const fingerprint = rows[0]!.value;
    const keyFile = fs.readFileSync(path.join(dirB, 'data-key.json'), 'utf8');
    expect(fingerprint).not.toContain(JSON.parse(keyFile).key as string);
    // B sealed what A had stored in clear.
    const text = (await raw.query<{ t: string }>("SELECT concat_ws('|', id_no, record) AS t FROM checkins")).rows.map((r) => r.t).join('\n');
    expect(text).not.toContain(PERSON);
    expect(text).not.toContain('Nguyễn');

    // A, still running, notices the key within a second: no clear row beside sealed ones, no trace from clear rows alone.
    await expect
      .poll(async () => (await post(a.url, token, [checkIn(2, PERSON)])).status, { timeout: 20_000, interval: 300 })
      .toBe(503);
    const refused = await post(a.url, token, [checkIn(3, PERSON)]);
    expect(await refused.json()).toMatchObject({ error: 'data-key-required', message: expect.stringContaining(`data key ${fingerprint.slice(0, 16)}; add --data-dir`) as unknown });
    const apiTrace = await fetch(`${a.url}/api/v1/trace?idNo=${PERSON}&from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z`, { headers: { authorization: `Bearer ${a.adminToken}` } });
    expect(apiTrace.status).toBe(503);
    expect((await post(b.url, token, [checkIn(4, PERSON)])).status).toBe(200);

    const countBefore = Number((await raw.query<{ n: string }>('SELECT count(*) AS n FROM checkins')).rows[0]!.n);
    const prefix = fingerprint.slice(0, 16);
    // Refused before anything is written: no --data-dir, a fresh one (no key made), another key.
    const keyless = await cli(['--database', database, '--port', '0']);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain(`this database seals identities with data key ${prefix}; add --data-dir DIR holding that data-key.json (copy it from the first node)`);
    const fresh = path.join(dir, 'fresh');
    const freshRun = await cli(['--database', database, '--data-dir', fresh, '--port', '0']);
    expect(freshRun.code).toBe(2);
    expect(freshRun.stderr).toContain(`data key ${prefix}; use --data-dir DIR holding that data-key.json`);
    expect(fs.existsSync(path.join(fresh, 'data-key.json'))).toBe(false);
    const other = path.join(dir, 'other');
    fs.mkdirSync(other, { mode: 0o700 });
    fs.writeFileSync(path.join(other, 'data-key.json'), JSON.stringify({ v: 1, kind: 'plain', key: randomBytes(32).toString('base64') }), { mode: 0o600 });
    const otherRun = await cli(['--database', database, '--data-dir', other, '--port', '0']);
    expect(otherRun.code).toBe(2);
    expect(otherRun.stderr).toMatch(new RegExp(`data key ${prefix}; use --data-dir .* holds data key [0-9a-f]{16}`));
    for (const sub of [['export'], ['trace', '--id', PERSON, '--from', '2026-11-25T00:00:00Z', '--to', '2026-11-26T00:00:00Z']]) {
      const r = await cli([sub[0]!, '--database', database, ...sub.slice(1)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`central ${sub[0]}: this database seals identities with data key ${prefix}; add --data-dir DIR`);
    }
    expect(Number((await raw.query<{ n: string }>('SELECT count(*) AS n FROM checkins')).rows[0]!.n)).toBe(countBefore);
    // Commands that never read identities still work without the key.
    expect((await cli(['admin-token', '--database', database])).code).toBe(0);

    // With the key: every check-in of the person, whichever node stored it and however.
    const traced = await cli(['trace', '--database', database, '--data-dir', dirB, '--id', PERSON, '--from', '2026-11-25T00:00:00Z', '--to', '2026-11-26T00:00:00Z', '--window-minutes', '1']);
    expect(traced.code).toBe(0);
    const t = JSON.parse(traced.stdout) as { landmarks: { checkIn: { id: string }; nearby: { id: string }[] }[] };
    const own = t.landmarks.map((l) => l.checkIn.id);
    expect(own[0]).toBe(checkIn(0, PERSON).id);
    expect(own).toContain(checkIn(4, PERSON).id);
    // A's last accepted clear row (if any got in before it noticed) is found too: every row stored for the person is listed.
    const stored = (await raw.query<{ id: string }>('SELECT id::text AS id FROM checkins WHERE id <> $1::uuid ORDER BY scanned_ms', [checkIn(1, '').id])).rows.map((r) => r.id);
    expect(own).toEqual(stored);
    expect(t.landmarks[0]?.nearby.map((c) => c.id)).toEqual([checkIn(1, '').id]);
    const exported = await cli(['export', '--database', database, '--data-dir', dirB]);
    expect(exported.stdout).toContain('Nguyễn Văn 0');
    expect(exported.stdout).not.toContain('"sealed"');
  } finally {
    await raw.end();
  }
}, 180_000);

it('records the key id of a database sealed before fingerprints existed, and seals clear rows written beside it', async () => {
  const database = await cluster.createDatabase();
  const dirB = path.join(dir, 'legacy');
  const b = await startCentral({ database, dataDir: dirB, port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['KEY-CODE-2'] });
  const enr = await fetch(`${b.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'KEY-CODE-2', device: { name: 'k', version: '0', platform: 'linux' } }) });
  const { token } = (await enr.json()) as { token: string };
  expect((await post(b.url, token, [checkIn(10, PERSON)])).status).toBe(200);
  await b.close();
  // As an older release left it: no fingerprint, schema v5, and a clear row a keyless node added.
  const raw = new pg.Pool({ connectionString: database });
  try {
    await raw.query("DELETE FROM central_meta WHERE key = 'data-key'");
    await raw.query('UPDATE central_schema SET version = 5');
    const clear = checkIn(11, PERSON);
    await raw.query(
      `INSERT INTO checkins (id, scanned_ms, scanned_at, device_id, sender_device_id, checkpoint_id, direction, format, verdict, id_no, alt_id, record, received_at)
       VALUES ($1, $2, $3, 'k', 'k', 'cp-1', 'in', 'cccd', 'accept', $4, NULL, $5, $3)`,
      [clear.id, Date.parse(clear.scannedAt), clear.scannedAt, PERSON, JSON.stringify(clear)],
    );
    const keyless = await cli(['export', '--database', database]);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/seals identities with data key [0-9a-f]{16}; add --data-dir/);
    const traced = await cli(['trace', '--database', database, '--data-dir', dirB, '--id', PERSON, '--from', '2026-11-25T00:00:00Z', '--to', '2026-11-26T00:00:00Z']);
    expect((JSON.parse(traced.stdout) as { landmarks: { checkIn: { id: string } }[] }).landmarks.map((l) => l.checkIn.id)).toEqual([checkIn(10, PERSON).id, clear.id]);
    const { rows } = await raw.query<{ value: string }>("SELECT value FROM central_meta WHERE key = 'data-key'");
    expect(rows[0]?.value).toMatch(/^[0-9a-f]{64}$/);
    const text = (await raw.query<{ t: string }>("SELECT concat_ws('|', id_no, record) AS t FROM checkins")).rows.map((r) => r.t).join('\n');
    expect(text).not.toContain(PERSON);
  } finally {
    await raw.end();
  }
}, 120_000);
