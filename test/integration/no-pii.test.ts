/**
 * No personal data anywhere but sealed (issue: privacy at rest), on real processes: a kiosk
 * (`run --scanner stdin`, debug logging) enrolled with and forwarding to a real central server
 * (debug logging), 1,000 CCCD scans with planted Vietnamese names (diacritics), ID numbers, old
 * CMND numbers, birth dates and addresses. Afterwards no file in either data dir (databases, WAL,
 * SHM, enrollment, tokens, keys, trust bundle, exports) and nothing the processes printed on stdout
 * or stderr contains any of them, searched as UTF-8 in NFC and NFD. The server still answers
 * `central export` with every identity intact, and the kiosk's masked export hides them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { filesUnder, findIn, findInFiles, plantedName } from '../helpers/pii-scan.js';
import { waitFor } from '../helpers/pty.js';

const SCANS = 1000;
let dir: string;

interface Planted {
  line: string;
  idNo: string;
  cmnd: string;
  name: string;
  dob: string;
  address: string;
}

function planted(i: number): Planted {
  // 079 = Hồ Chí Minh City, digit 4 = 0 (born 1900s, male), digits 5-6 = 90 (1990), six more digits.
  const idNo = `079090${String(500_000 + i).padStart(6, '0')}`;
  const dd = String(1 + (i % 28)).padStart(2, '0');
  const mm = String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0');
  const cmnd = String(270_000_000 + i);
  const name = plantedName(i);
  const address = `Số ${100 + i} Đường Nguyễn Thị Minh Khai, Phường Đa Kao ${i}`;
  return { line: `${idNo}|${cmnd}|${name}|${dd}${mm}1990|Nam|${address}|15082021`, idNo, cmnd, name, dob: `1990-${mm}-${dd}`, address };
}

/** Everything a process writes on stdout and stderr, whole (the CLI helper keeps only a tail). */
function capture(p: CliProcess): () => Buffer {
  const chunks: string[] = [];
  p.child.stdout?.on('data', (d: string) => chunks.push(d));
  p.child.stderr?.on('data', (d: string) => chunks.push(d));
  return () => Buffer.from(chunks.join(''), 'utf8');
}

let central: CliProcess;
let centralOutput: () => Buffer;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-no-pii-'));
  central = startCli(['central', '--data-dir', join(dir, 'central'), '--port', '0', '--enrollment-code', 'PII-CODE-1'], { CHECKPOINT_KIOSK_LOG: 'debug' });
  centralOutput = capture(central);
  url = (await central.waitFor((l) => l.event === 'listening', 30_000)).url as string;
});
afterAll(async () => {
  if (central.child.exitCode === null) {
    central.child.kill('SIGTERM');
    await central.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

it(`${SCANS} scans with planted identities leave none in clear in any file or output`, async () => {
  const people = Array.from({ length: SCANS }, (_, i) => planted(i));
  const kioskDir = join(dir, 'kiosk');
  const kiosk = startCli(
    ['run', '--data-dir', kioskDir, '--scanner', 'stdin', '--server', url, '--enroll', 'PII-CODE-1', '--checkpoint', 'PII-CP', '--heartbeat-seconds', '5'],
    { CHECKPOINT_KIOSK_LOG: 'debug' },
  );
  const kioskOutput = capture(kiosk);
  await kiosk.waitFor((l) => l.event === 'ready', 30_000);
  for (let i = 0; i < SCANS; i += 50) {
    kiosk.child.stdin!.write(people.slice(i, i + 50).map((p) => `${p.line}\n`).join(''));
    await new Promise((r) => setTimeout(r, 10));
  }
  await waitFor(() => kiosk.lines.filter((l) => l.event === 'checkin').length >= SCANS, { timeoutMs: 120_000, what: 'every check-in committed' });
  const checkins = kiosk.lines.filter((l) => l.event === 'checkin');
  expect(checkins.filter((l) => l.verdict === 'accept')).toHaveLength(SCANS);
  // Everything forwarded (the kiosk's own export, masked, says so) and a heartbeat or two sent.
  await waitFor(() => runCli(['export', '--data-dir', kioskDir]).lines.every((l) => l.delivery === 'forwarded'), {
    timeoutMs: 120_000,
    intervalMs: 1000,
    what: 'every check-in forwarded',
  });
  await new Promise((r) => setTimeout(r, 6000));
  const masked = runCli(['export', '--data-dir', kioskDir]);
  kiosk.child.stdin!.end();
  expect((await kiosk.exited).code).toBe(0);
  central.child.kill('SIGTERM');
  expect((await central.exited).code).toBe(0);

  // The server still has every identity, whole.
  const onServer = runCli(['central', 'export', '--data-dir', join(dir, 'central')]).lines;
  expect(onServer).toHaveLength(SCANS);
  const byIdNo = new Map(onServer.map((c) => [(c.subject as { idNo: string }).idNo, c.subject as { name: string; dob: string }]));
  expect(people.every((p) => byIdNo.get(p.idNo)?.name === p.name && byIdNo.get(p.idNo)?.dob === p.dob)).toBe(true);

  // The heartbeat told the server how old the oldest identity record on the kiosk is.
  const db = new Database(join(dir, 'central', 'central.sqlite'), { readonly: true });
  const beat = db.prepare('SELECT oldest_identity_at, body FROM heartbeats').get() as { oldest_identity_at: string; body: string };
  db.close();
  expect(beat.oldest_identity_at).toBe(checkins.map((c) => c.scannedAt as string).sort()[0]);
  expect(JSON.parse(beat.body)).toMatchObject({ auditHead: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });

  const needles = people.flatMap((p) => [p.idNo, p.cmnd, p.name, p.dob, p.address]);
  const files = [...filesUnder(kioskDir), ...filesUnder(join(dir, 'central'))];
  expect(files.map((f) => f.slice(dir.length))).toEqual(expect.arrayContaining(['/kiosk/kiosk.db', '/kiosk/enrollment.json', '/kiosk/data-key.json', '/central/central.sqlite', '/central/data-key.json']));
  expect(findInFiles(files, needles)).toEqual([]);
  expect(findIn('kiosk stdout+stderr', kioskOutput(), needles)).toEqual([]);
  expect(findIn('central stdout+stderr', centralOutput(), needles)).toEqual([]);
  expect(findIn('kiosk export (masked)', Buffer.from(masked.stdout, 'utf8'), needles)).toEqual([]);
  // The search itself works: the planted values are found where they are meant to be.
  const probe = [people[0]!.idNo, people[0]!.name, people[0]!.dob];
  expect(findIn('probe', Buffer.from(JSON.stringify(onServer).normalize('NFD'), 'utf8'), probe).map((h) => h.needle)).toEqual(probe);
}, 400_000);
