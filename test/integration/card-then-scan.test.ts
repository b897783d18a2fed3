/**
 * A scan read right after a provisioning card waits for the card's outcome: it is recorded at the
 * checkpoint the card set when the card took effect, and at the one still in force when the card
 * was refused — never at the old checkpoint because the enrollment had not finished yet. Real
 * central server, real command, the card and the scan back to back on one scanner.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { killAndWait, spawnCentral } from '../helpers/sync-fixtures.js';

const CCCD = (n: number) => `00109000${2000 + n}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021`;
let dir: string;
let central: { child: ChildProcess; url: string };
let card: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-card-scan-'));
  // The server's bundle lists one person in quarantine (CCCD(3)), so a verdict shows whether it
  // was made with the server's bundle or with none.
  const trust = join(dir, 'bundle.json');
  writeFileSync(trust, JSON.stringify({ version: 1, issuedAt: '2026-01-01T00:00:00Z', status: { entries: [{ id: CCCD(3).slice(0, 12), status: 'quarantine' }] } }));
  central = await spawnCentral(['--data-dir', join(dir, 'central'), '--port', '0', '--trust', trust]);
  const issued = runCli(['central', 'provision-card', '--data-dir', join(dir, 'central'), '--checkpoint', 'GATE-9', '--direction', 'out', '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  card = (issued.lines[0] as { card: string }).card;
}, 90_000);
afterAll(async () => {
  await killAndWait(central.child, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const exported = (data: string) => runCli(['export', '--data-dir', data]).lines;

it('a scan right behind a card that enrolls is recorded at the card\'s checkpoint and direction', () => {
  const data = join(dir, 'kiosk-a');
  const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin', '--checkpoint', 'OLD-1'], `${card}\n${CCCD(1)}\n`);
  expect(r.code, r.stderr).toBe(0);
  const events = r.lines.map((l) => l.event);
  expect(events.indexOf('provisioned')).toBeGreaterThan(-1);
  // The verdict is shown only after the card's outcome is known.
  expect(events.indexOf('provisioned')).toBeLessThan(events.indexOf('checkin'));
  const checkin = r.lines.find((l) => l.event === 'checkin')!;
  expect(exported(data)).toEqual([expect.objectContaining({ id: checkin.id, checkpointId: 'GATE-9', direction: 'out' })]);
  // Delivered at the end of input, at the same checkpoint.
  const onServer = runCli(['central', 'export', '--data-dir', join(dir, 'central')]).lines;
  expect(onServer).toEqual([expect.objectContaining({ id: checkin.id, checkpointId: 'GATE-9' })]);
}, 90_000);

it("a scan right behind a card that enrolls is judged with the server's trust bundle, not with none", () => {
  const issued = runCli(['central', 'provision-card', '--data-dir', join(dir, 'central'), '--checkpoint', 'GATE-10', '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  const data = join(dir, 'kiosk-c');
  const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin'], `${(issued.lines[0] as { card: string }).card}\n${CCCD(3)}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.lines.find((l) => l.event === 'checkin')).toMatchObject({ verdict: 'refer', reasons: expect.arrayContaining(['status:quarantine']) });
}, 90_000);

it('a scan right behind a card that is refused (code used) is recorded at the checkpoint still in force', () => {
  const data = join(dir, 'kiosk-b');
  const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin', '--checkpoint', 'OLD-2'], `${card}\n${CCCD(2)}\n`);
  expect(r.code, r.stderr).toBe(0);
  const events = r.lines.map((l) => l.event);
  expect(events.indexOf('provisioning-refused')).toBeGreaterThan(-1);
  expect(events.indexOf('provisioning-refused')).toBeLessThan(events.indexOf('checkin'));
  expect(exported(data)).toEqual([expect.objectContaining({ checkpointId: 'OLD-2', direction: 'in' })]);
}, 90_000);

it('a kiosk not enrolled that already records check-ins (its own --trust, no server) ignores a card at its scanner; the card stays unused', () => {
  const issued = runCli(['central', 'provision-card', '--data-dir', join(dir, 'central'), '--checkpoint', 'GATE-11', '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  const fresh = (issued.lines[0] as { card: string }).card;
  const local = join(dir, 'local-bundle.json');
  writeFileSync(local, JSON.stringify({ version: 1, issuedAt: '2026-01-01T00:00:00Z' }));
  const data = join(dir, 'kiosk-d');
  const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin', '--trust', local, '--checkpoint', 'OWN-1'], `${CCCD(5)}\n${fresh}\n${CCCD(3)}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.lines.filter((l) => String(l.event).startsWith('provision'))).toEqual([{ event: 'provisioning-ignored', message: expect.stringMatching(/technician only/) }]);
  expect(existsSync(join(data, 'enrollment.json'))).toBe(false);
  // Still judged with its own bundle (no quarantine entry) and kept at its own checkpoint.
  expect(r.lines.filter((l) => l.event === 'checkin').map((l) => l.verdict)).toEqual(['accept', 'accept']);
  expect(exported(data).map((c) => c.checkpointId)).toEqual(['OWN-1', 'OWN-1']);
  // The card's code was not spent: a fresh kiosk enrolls with it.
  const other = runCli(['run', '--data-dir', join(dir, 'kiosk-e'), '--scanner', 'stdin'], `${fresh}\n`);
  expect(other.lines.find((l) => String(l.event).startsWith('provision'))).toMatchObject({ event: 'provisioned', checkpoint: 'GATE-11' });
}, 120_000);
