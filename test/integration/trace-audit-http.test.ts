/**
 * Tracing over HTTP leaves one audit entry per answer, like `central trace`: the dashboard page
 * (POST /dashboard), its CSV (POST /dashboard/trace.csv) and the JSON API (GET /api/v1/trace)
 * each add exactly one `trace` entry with the range and counts, never the ID traced nor a name,
 * and the hash chain still verifies. The tracing forms are POST only: a GET with the ID number in
 * the URL traces nothing and audits nothing. On SQLite and on a throwaway PostgreSQL alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { openStorage } from '../../server/storage/open.js';
import { silentLogger } from '../../src/core/system.js';
import { verifyAuditRows } from '../../src/store/audit-chain.js';
import type { AuditRowText } from '../../src/store/audit-chain.js';
import { CONTACTS, NOT_CONTACTS, OPS_NOW, TODAY, TRACED_ID, enrollKiosk, sendCheckIns } from '../helpers/ops-seed.js';
import { startPgCluster } from '../helpers/postgres.js';
import type { PgCluster } from '../helpers/postgres.js';

const HOUR = 3_600_000;
const FORM = { idNo: TRACED_ID, from: '2026-11-25T00:00', to: '2026-11-25T16:41', windowMinutes: '30' };

describe.each(['sqlite', 'postgres'] as const)('HTTP traces are audited on %s', (backend) => {
  let cluster: PgCluster | undefined;
  let dir: string;
  let central: CentralServer;
  let needles: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-audit-'));
    cluster = backend === 'postgres' ? await startPgCluster({ fsync: 'off', synchronous_commit: 'off' }) : undefined;
    const storage = cluster ? await openStorage({ database: await cluster.createDatabase() }) : undefined;
    central = await startCentral({ ...(storage ? { storage } : { dataDir: dir }), port: 0, logger: silentLogger, clock: { now: () => OPS_NOW } });
    const token = await enrollKiosk(central, 'kiosk-a', OPS_NOW - 3 * HOUR);
    const sent = await sendCheckIns(central, token, [...TODAY, ...CONTACTS, ...NOT_CONTACTS]);
    needles = [TRACED_ID, ...sent.flatMap((c) => [c.subject.idNo ?? '', c.subject.name ?? ''])].filter((n) => n.length > 3);
  }, 120_000);

  afterAll(async () => {
    await central?.close();
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (): Promise<AuditRowText[]> => {
    const all: AuditRowText[] = [];
    for await (const r of central.storage.auditRows()) all.push(r);
    return all;
  };
  const traces = async () => (await rows()).filter((r) => r.action === 'trace');
  const post = (route: string, fields: Record<string, string>) =>
    fetch(`${central.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });

  /** The one entry a route added since `before`, checked for counts and for no personal data. */
  async function oneNewEntry(before: number, actor: string, via: string): Promise<Record<string, unknown>> {
    const after = await traces();
    expect(after).toHaveLength(before + 1);
    const entry = after.at(-1) as AuditRowText;
    expect(entry.actor).toBe(actor);
    const detail = JSON.parse(entry.detail ?? 'null') as Record<string, unknown>;
    // The room's form "to 16:41" covers that whole minute: its range ends at 16:42 (09:42Z).
    const to = via === 'api' ? '2026-11-25T09:41:00.000Z' : '2026-11-25T09:42:00.000Z';
    expect(detail).toEqual({ via, from: '2026-11-24T17:00:00.000Z', to, windowMinutes: 30, landmarks: 1, nearby: CONTACTS.length, truncated: false });
    const text = JSON.stringify(await rows());
    for (const n of needles) expect(text).not.toContain(n);
    expect((await verifyAuditRows(central.storage.auditRows())).ok).toBe(true);
    return detail;
  }

  it('the dashboard page (POST) adds one entry; a GET with the ID in the URL traces nothing', async () => {
    let before = (await traces()).length;
    const shown = await fetch(`${central.url}/dashboard?${new URLSearchParams(FORM)}`, { headers: { authorization: `Bearer ${central.adminToken}` } });
    expect(shown.status).toBe(200);
    const got = await shown.text();
    expect(got).toContain('name="idNo" required');
    expect(got).not.toContain('data-trace-answer');
    expect(got).not.toContain(TRACED_ID);
    // A `?token=` link is answered 303 to the page without the token, and without the ID either.
    const link = await fetch(`${central.url}/dashboard?${new URLSearchParams({ token: central.adminToken, ...FORM })}`, { redirect: 'manual' });
    expect([link.status, link.headers.get('location')]).toEqual([303, '/dashboard']);
    expect(await traces()).toHaveLength(before);

    expect((await post('/dashboard', FORM)).status).toBe(401);
    expect((await post('/dashboard', { ...FORM, token: 'wrong' })).status).toBe(401);
    expect(await traces()).toHaveLength(before);

    const page = await post('/dashboard', { ...FORM, token: central.adminToken, lang: 'en' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-trace-answer="found"');
    for (const c of CONTACTS) expect(html).toContain(`data-contact="${c.idNo}"`);
    // Both forms post; no link of the page carries the traced ID.
    expect(html).toContain('<form class="trace" method="post" action="/dashboard#tracing">');
    expect(html).toContain('<form class="csv" method="post" action="/dashboard/trace.csv">');
    for (const href of html.match(/href="[^"]*"/g) ?? []) expect(href).not.toContain(TRACED_ID);
    await oneNewEntry(before, 'dashboard', 'dashboard');

    before = (await traces()).length;
    const refused = await (await post('/dashboard', { ...FORM, to: '2026-11-24T09:00', token: central.adminToken })).text();
    expect(refused).toContain('data-trace-answer="error"');
    expect(await traces()).toHaveLength(before); // nothing was handed out
  });

  it('the CSV (POST) adds one entry; GET /dashboard/trace.csv is refused with 405', async () => {
    const before = (await traces()).length;
    const get = await fetch(`${central.url}/dashboard/trace.csv?${new URLSearchParams({ token: central.adminToken, ...FORM })}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(((await get.json()) as { message: string }).message).toMatch(/POST the tracing form/);
    expect((await post('/dashboard/trace.csv', FORM)).status).toBe(401);
    const res = await post('/dashboard/trace.csv', { ...FORM, token: central.adminToken, lang: 'en' });
    expect(res.status).toBe(200);
    const csv = await res.text();
    for (const c of CONTACTS) expect(csv).toContain(c.idNo);
    await oneNewEntry(before, 'dashboard', 'dashboard-csv');
  });

  it('the JSON API adds one entry per answer, none for a refused query', async () => {
    const before = (await traces()).length;
    const q = new URLSearchParams({ idNo: TRACED_ID, from: '2026-11-24T17:00:00.000Z', to: '2026-11-25T09:41:00.000Z', windowMinutes: '30' });
    const headers = { authorization: `Bearer ${central.adminToken}` };
    expect((await fetch(`${central.url}/api/v1/trace?from=x`, { headers })).status).toBe(400);
    expect((await fetch(`${central.url}/api/v1/trace?${q}`)).status).toBe(401);
    expect(await traces()).toHaveLength(before);
    const res = await fetch(`${central.url}/api/v1/trace?${q}`, { headers });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { landmarks: unknown[] }).landmarks).toHaveLength(1);
    await oneNewEntry(before, 'api', 'api');
  });

  it('POST /api/v1/trace (the ID number in the body, out of URLs) answers as the GET does, one entry per answer', async () => {
    const before = (await traces()).length;
    const body = { idNo: TRACED_ID, from: '2026-11-24T17:00:00.000Z', to: '2026-11-25T09:41:00.000Z', windowMinutes: 30 };
    const json = { 'content-type': 'application/json' };
    const headers = { ...json, authorization: `Bearer ${central.adminToken}` };
    const postJson = (h: Record<string, string>, b: unknown) => fetch(`${central.url}/api/v1/trace`, { method: 'POST', headers: h, body: JSON.stringify(b) });
    expect((await postJson(json, body)).status).toBe(401);
    const refused = await postJson(headers, { ...body, from: 'x' });
    expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([400, 'invalid-request']);
    expect((await postJson(headers, { from: body.from, to: body.to })).status).toBe(400);
    expect(await traces()).toHaveLength(before);
    const res = await postJson(headers, body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { landmarks: unknown[]; idNo: string };
    expect(answer.landmarks).toHaveLength(1);
    await oneNewEntry(before, 'api', 'api');
    const viaGet = await fetch(`${central.url}/api/v1/trace?${new URLSearchParams({ ...body, windowMinutes: '30' })}`, { headers: { authorization: headers.authorization } });
    expect(await viaGet.json()).toEqual(answer);
  });
});
