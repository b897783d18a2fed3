/**
 * Server CLI hygiene and the `--database` flag: a busy port is refused before any key exists, a
 * second server on one SQLite data dir is refused, and serve/enroll-code/admin-token/export/trace
 * work on a real PostgreSQL database (throwaway cluster) — with nothing secret in the data dir.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { startPgCluster } from '../helpers/postgres.js';
import type { PgCluster } from '../helpers/postgres.js';
import { freePort, killAndWait, repoRoot, spawnCentral } from '../helpers/sync-fixtures.js';

let dir: string;
let cluster: PgCluster;

function central(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/main.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `central …` in this process (fast: no tsx start-up per call). */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'central-cli-storage-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('refuses a busy port with a clear error before creating any key or database', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    const fresh = path.join(dir, 'fresh');
    const r = await inProcess(['--data-dir', fresh, '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(r.stderr).toContain('--port');
    expect(fs.existsSync(fresh)).toBe(false);
  } finally {
    blocker.close();
  }
});

it('refuses a second server on one SQLite data dir, naming the first one', async () => {
  const first = await spawnCentral(['--data-dir', dir, '--port', '0']);
  try {
    const r = central(['--data-dir', dir, '--port', String(await freePort())]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`another central server (pid ${first.child.pid}) is using the data dir`);
  } finally {
    expect(await killAndWait(first.child, 'SIGTERM')).toBe(0);
  }
  // A clean stop releases the lock: the next server starts.
  const again = await spawnCentral(['--data-dir', dir, '--port', '0']);
  expect(await killAndWait(again.child, 'SIGTERM')).toBe(0);
}, 180_000);

it('serves from PostgreSQL with --database; enroll-code, admin-token, export and trace take --database too', async () => {
  const database = await cluster.createDatabase();
  expect((await inProcess(['enroll-code', '--database', database])).stderr).toMatch(/holds no central server schema/);
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let out = '';
  const serving = centralMain(['--database', database, '--data-dir', dir, '--port', '0'], { stdout: (t) => (out += t), stderr: () => undefined, stopSignal });
  try {
    await expect.poll(() => out, { timeout: 60_000 }).toContain('listening');
    const url = (JSON.parse(out.split('\n')[0] as string) as { url: string }).url;
    const code = JSON.parse((await inProcess(['enroll-code', '--database', database, '--ttl-hours', '1'])).stdout) as { code: string };
    const enr = await fetch(`${url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code, device: { name: 'k', version: '0', platform: 'linux' } }) });
    const { token } = (await enr.json()) as { token: string };
    const records = ['01a21000-0000-7000-8000-00000000000b', '01a21000-0000-7000-8000-00000000000a'].map((id, i) => ({
      id,
      scannedAt: new Date(Date.parse('2026-11-25T08:10:00.000Z') - i * 600_000).toISOString(),
      subject: { idNo: `00109000000${i + 1}` },
      deviceId: 'k',
      checkpointId: 'cp-7',
      direction: 'in',
      format: 'cccd',
      verdict: 'accept',
      reasons: [],
    }));
    const res = await fetch(`${url}/api/v1/checkins`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ checkins: records }) });
    expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(2);
    const admin = (await inProcess(['admin-token', '--database', database])).stdout.trim();
    expect(admin).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fetch(`${url}/api/v1/stats`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
    // --rotate replaces the row every node reads; `admin-token` prints the new one from then on.
    const rotated = (await inProcess(['admin-token', '--rotate', '--database', database])).stdout.trim();
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated).not.toBe(admin);
    expect((await inProcess(['admin-token', '--database', database])).stdout.trim()).toBe(rotated);
  } finally {
    stop();
    expect(await serving).toBe(0);
  }
  const exported = await inProcess(['export', '--database', database, '--data-dir', dir]);
  expect(exported.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([
    '01a21000-0000-7000-8000-00000000000a',
    '01a21000-0000-7000-8000-00000000000b',
  ]);
  // Identity fields were sealed with the data key of --data-dir: without it, trace says so.
  expect((await inProcess(['trace', '--database', database, '--id', '001090000002', '--from', '2026-11-25T00:00:00Z', '--to', '2026-11-26T00:00:00Z'])).stderr).toMatch(/add --data-dir DIR/);
  const traced = await inProcess(['trace', '--database', database, '--data-dir', dir, '--id', '001090000002', '--from', '2026-11-25T00:00:00Z', '--to', '2026-11-26T00:00:00Z', '--window-minutes', '15']);
  const t = JSON.parse(traced.stdout) as { landmarks: { nearby: { id: string }[] }[] };
  expect(t.landmarks[0]?.nearby.map((c) => c.id)).toEqual(['01a21000-0000-7000-8000-00000000000b']);
  // Keys live in the database; the data dir holds only the data key that seals identity fields.
  expect(fs.readdirSync(dir)).toEqual(['data-key.json']);
}, 120_000);

it('answers 503 storage-unavailable with Retry-After while PostgreSQL is down, so kiosks try another node', async () => {
  const own = await startPgCluster({ fsync: 'off' });
  const central = await startCentral({ database: await own.createDatabase(), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['DOWN-CODE-1'] });
  try {
    const enr = await fetch(`${central.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'DOWN-CODE-1', device: { name: 'k', version: '0', platform: 'linux' } }) });
    expect(enr.status).toBe(200);
    const signIn = await fetch(`${central.url}/dashboard/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: central.adminToken, next: '/dashboard' }).toString() });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(signIn.status).toBe(303);
    await own.stop();
    // A signed-in officer's browser gets a page in the room's language that reloads itself, not JSON.
    for (const [query, lang, text] of [['', 'vi', 'Tạm thời không kết nối được cơ sở dữ liệu'], ['?lang=en', 'en', 'The database cannot be reached right now']] as const) {
      const page = await fetch(`${central.url}/dashboard${query}`, { headers: { accept: 'text/html,application/xhtml+xml', cookie } });
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('retry-after')).toBe('10');
      const html = await page.text();
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain(text);
      expect(html).toContain(`<meta http-equiv="refresh" content="10; url=/dashboard${query}">`);
    }
    // A POSTed form is not re-posted by the reload: the page goes back to the form's page.
    const form = await fetch(`${central.url}/dashboard`, { method: 'POST', headers: { accept: 'text/html', cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'idNo=001090000001&from=2026-11-25T00%3A00&to=2026-11-26T00%3A00&windowMinutes=30&lang=en' });
    const formHtml = await form.text();
    expect([form.status, formHtml.includes('content="10; url=/dashboard"'), formHtml.includes('The database cannot be reached')]).toEqual([503, true, true]);
    // The declaration form: a person's browser gets the form page in its language with every answer
    // kept and what happened said (not the JSON error); it does not reload itself (that would lose them).
    const declaration = (lang: string, accept: string) =>
      fetch(`${central.url}/declare`, {
        method: 'POST',
        headers: { accept, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['lang', lang], ['idType', 'cccd'], ['idNo', '001090000001'], ['name', 'Nguyễn Văn An'], ['dob', '1990-05-01'], ['from', 'Bắc Ninh'], ['to', 'Hà Nội'], ['symptoms', 'fever'], ['testResult', 'negative'], ['testAt', '2026-11-24']]).toString(),
      });
    for (const [lang, text] of [['vi', 'Máy chủ tạm thời không kết nối được cơ sở dữ liệu nên chưa cấp được khai báo'], ['en', 'The server cannot reach its database right now, so no declaration was issued']] as const) {
      const page = await declaration(lang, 'text/html,application/xhtml+xml');
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('retry-after')).toBe('10');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await page.text();
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain(`<div class="alert" role="alert">${text}`);
      for (const kept of ['value="001090000001"', 'value="Nguyễn Văn An"', 'value="Bắc Ninh"', 'value="fever" checked', '<option value="negative" selected>']) expect(html).toContain(kept);
      expect(html).not.toContain('http-equiv="refresh"');
    }
    const declareScript = await declaration('en', 'application/json');
    expect([declareScript.status, ((await declareScript.json()) as { error: string }).error]).toEqual([503, 'storage-unavailable']);
    // A script asking the same page still gets the JSON error.
    const script = await fetch(`${central.url}/dashboard`, { headers: { cookie } });
    expect([script.status, ((await script.json()) as { error: string }).error]).toEqual([503, 'storage-unavailable']);
    const res = await fetch(`${central.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'ANY-CODE-2', device: { name: 'k', version: '0', platform: 'linux' } }) });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error: string }).error).toBe('storage-unavailable');
  } finally {
    await central.close().catch(() => undefined);
    await own.stop();
  }
}, 120_000);

it('names a --database that does not exist as a setting to fix (exit 2, how to create it), and one whose server is down as a failure (exit 1, where it looked)', async () => {
  const missing = cluster.urlOf('no_such_db');
  for (const args of [['--database', missing, '--port', '0'], ['enroll-code', '--database', missing], ['revoke-device', '--database', missing, '--device', 'x']]) {
    const r = await inProcess(args);
    expect([args[0], r.code]).toEqual([args[0], 2]);
    expect(r.stderr).toContain('database "no_such_db" does not exist; create it first (createdb -h 127.0.0.1');
  }
  const down = await inProcess(['enroll-code', '--database', `postgres://postgres@127.0.0.1:${await freePort()}/x`]);
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(/ECONNREFUSED .*; is PostgreSQL running and listening at 127\.0\.0\.1:\d+\?/);
});
