/**
 * What the fleet commands make of input a person types: a device id in upper case (ids are
 * case-insensitive), a --png that already exists (never replaced, as export's --out), a
 * --checkpoint with a character it does not take (named, not "required"), and a --time-zone in
 * the wrong case (stored and shown as IANA spells it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger, systemClock } from '../../src/core/system.js';

let dir: string;
let server: CentralServer;
let deviceId: string;

async function central(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-fleet-input-'));
  server = await startCentral({ dataDir: path.join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['CODE-ONE'], timeZone: 'asia/ho_chi_minh' });
  const res = await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'CODE-ONE', device: { name: 'k', version: '1', platform: 'linux' } }) });
  deviceId = ((await res.json()) as { deviceId: string }).deviceId;
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('fleet commands and typed input', () => {
  it('stores and shows the IANA spelling of a --time-zone typed in another case', async () => {
    expect(await server.storage.fleet.serverSetting('time-zone')).toBe('Asia/Ho_Chi_Minh');
    const signIn = await fetch(`${server.url}/dashboard/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: server.adminToken }).toString() });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await (await fetch(`${server.url}/dashboard`, { headers: { cookie, accept: 'text/html' } })).text();
    expect(page).toContain('Asia/Ho_Chi_Minh');
    expect(page).not.toContain('asia/ho_chi_minh');
    const data = ['--data-dir', path.join(dir, 'central')];
    const traced = await central(['trace', ...data, '--id', '001090000001', '--from', '2026-12-01T00:00', '--to', '2026-12-02T00:00', '--time-zone', 'europe/berlin']);
    expect(traced.code, traced.stderr).toBe(0);
    expect((JSON.parse(traced.stdout) as { timeZone: string }).timeZone).toBe('Europe/Berlin');
    const utc = await central(['trace', ...data, '--id', '001090000001', '--from', '2026-12-01T00:00', '--to', '2026-12-02T00:00', '--time-zone', 'utc']);
    expect((JSON.parse(utc.stdout) as { timeZone: string }).timeZone).toBe('UTC');
  });

  it('finds a device whose id is typed in upper case', async () => {
    const data = ['--data-dir', path.join(dir, 'central')];
    const upper = deviceId.toUpperCase();
    const group = await central(['group', 'set', ...data, '--device', upper, '--group', 'north']);
    expect(group.code, group.stderr).toBe(0);
    expect(JSON.parse(group.stdout)).toMatchObject({ device: deviceId, group: 'north' });
    const shown = await central(['config', 'show', ...data, '--device', upper]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ device: deviceId, group: 'north' });
    const revoked = await central(['revoke-device', ...data, '--device', upper]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ event: 'revoked', device: deviceId });
    expect((await server.storage.fleet.revocation(deviceId))?.revokedAt).toBeDefined();
    const again = await central(['revoke-device', ...data, '--device', upper]);
    expect([again.code, JSON.parse(again.stdout).already]).toEqual([0, true]);
    expect((await central(['revoke-device', ...data, '--device', 'NO-SUCH-DEVICE'])).stderr).toMatch(/no such device/);
  });

  it('never replaces an existing --png, and names what is wrong with a --checkpoint', async () => {
    const data = ['--data-dir', path.join(dir, 'central')];
    const png = path.join(dir, 'card.png');
    fs.writeFileSync(png, 'keep me');
    const cardsBefore = (await server.storage.fleet.provisioningCards(100)).length;
    const refused = await central(['provision-card', ...data, '--checkpoint', 'GATE-7', '--png', png]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--png ${png} exists already; choose a new file name (nothing was issued)`);
    expect(fs.readFileSync(png, 'utf8')).toBe('keep me');
    expect((await server.storage.fleet.provisioningCards(100)).length).toBe(cardsBefore);
    const fresh = path.join(dir, 'new.png');
    expect((await central(['provision-card', ...data, '--checkpoint', 'GATE-7', '--png', fresh])).code).toBe(0);
    expect(fs.readFileSync(fresh).subarray(1, 4).toString()).toBe('PNG');

    const esc = await central(['provision-card', ...data, '--checkpoint', 'GA\u001bTE']);
    expect(esc.code).toBe(2);
    expect(esc.stderr).toContain('--checkpoint "GA\\u001bTE": contains a control character (U+001B)');
    expect(esc.stderr).not.toContain('\u001b');
    expect(esc.stderr).not.toMatch(/is required/);
    expect((await central(['provision-card', ...data, '--checkpoint', 'Cổng 1'])).stderr).toContain('contains "ổ" (U+1ED5)');
    expect((await central(['provision-card', ...data, '--checkpoint', 'x'.repeat(65)])).stderr).toContain('65 characters, at most 64');
    expect((await central(['provision-card', ...data, '--checkpoint', ''])).stderr).toContain('--checkpoint is empty');
    expect((await central(['provision-card', ...data])).stderr).toContain('--checkpoint ID is required');
  });

  it('refuses a --url with a user name or password (exit 2, nothing issued, the password not shown)', async () => {
    const data = ['--data-dir', path.join(dir, 'central')];
    const cardsBefore = (await server.storage.fleet.provisioningCards(100)).length;
    const r = await central(['provision-card', ...data, '--checkpoint', 'GATE-7', '--url', 'http://admin:Pw0rd@127.0.0.1:47320']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--url: the URL carries a user name or password before "@" (not shown)');
    expect(r.stderr).toContain('e.g. http://127.0.0.1:47320');
    expect(r.stderr).not.toMatch(/Pw0rd|admin:/);
    expect(r.stdout).toBe('');
    expect((await server.storage.fleet.provisioningCards(100)).length).toBe(cardsBefore);
  });

  it('names --config (not --file) when provision-card refuses its --config file: duplicate key, not JSON, missing', async () => {
    const data = ['--data-dir', path.join(dir, 'central')];
    const cc = path.join(dir, 'cc-dup.json');
    fs.writeFileSync(cc, '{"checkpoint": "G", "checkpoint": "H"}');
    const cardsBefore = (await server.storage.fleet.provisioningCards(100)).length;
    const dup = await central(['provision-card', ...data, '--checkpoint', 'G', '--config', cc]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain(`central provision-card: --config ${cc}: duplicate key "checkpoint"`);
    expect(dup.stderr).not.toContain('--file');
    fs.writeFileSync(cc, '{"checkpoint": ');
    const bad = await central(['provision-card', ...data, '--checkpoint', 'G', '--config', cc]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`central provision-card: --config ${cc}: not valid JSON`);
    const missing = await central(['provision-card', ...data, '--checkpoint', 'G', '--config', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`central provision-card: --config ${path.join(dir, 'nope.json')}: no such file`);
    expect((await server.storage.fleet.provisioningCards(100)).length).toBe(cardsBefore);
  });

  it('refuses a --checkpoint, --direction or --profile the --config file contradicts (exit 2 naming both values, nothing issued)', async () => {
    const data = ['--data-dir', path.join(dir, 'central')];
    const cc = path.join(dir, 'cc.json');
    fs.writeFileSync(cc, JSON.stringify({ checkpoint: 'OTHER', profile: 'booth' }));
    const cardsBefore = (await server.storage.fleet.provisioningCards(100)).length;
    const r = await central(['provision-card', ...data, '--checkpoint', 'G', '--profile', 'venue', '--config', cc]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--checkpoint G and --config ${cc} ("checkpoint": "OTHER") disagree`);
    expect(r.stdout).toBe('');
    const p = await central(['provision-card', ...data, '--checkpoint', 'OTHER', '--profile', 'venue', '--config', cc]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`--profile venue and --config ${cc} ("profile": "booth") disagree`);
    fs.writeFileSync(cc, JSON.stringify({ direction: 'out' }));
    expect((await central(['provision-card', ...data, '--checkpoint', 'G', '--direction', 'in', '--config', cc])).stderr).toContain('--direction in and --config');
    expect((await server.storage.fleet.provisioningCards(100)).length).toBe(cardsBefore);
    // The same values, or values only the file gives, are fine.
    fs.writeFileSync(cc, JSON.stringify({ checkpoint: 'G', profile: 'booth', direction: 'out' }));
    const ok = await central(['provision-card', ...data, '--checkpoint', 'G', '--profile', 'booth', '--config', cc, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ checkpoint: 'G' });
  });
});
