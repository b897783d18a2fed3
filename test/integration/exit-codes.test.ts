/**
 * One exit-code table for every command (src/cli/exit-codes.ts, README "Exit codes"): 0 ok,
 * 1 runtime failure, 2 usage or configuration error. The same problem — a data dir that holds no
 * database, an unknown flag, a name the server does not know — gets the same code whichever
 * command meets it. Kiosk commands run as the real command; central subcommands through the
 * same centralMain in this process (real SQLite files).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { centralMain } from '../../server/cli.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
let dir: string;
let missing: string;
let kiosk: string;
let corrupt: string;
let server: string;
let taken: Server;
let takenPort: number;

async function central(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await centralMain(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), stopSignal: Promise.resolve() });
  return { code, stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-exit-'));
  missing = join(dir, 'no-such-dir');
  kiosk = join(dir, 'kiosk');
  corrupt = join(dir, 'corrupt');
  server = join(dir, 'central');
  mkdirSync(corrupt);
  writeFileSync(join(dir, 'profile.json'), JSON.stringify({ duplicateWindowMinutes: 5 }));
  writeFileSync(join(corrupt, 'kiosk.db'), 'this is not a SQLite database, whatever its name says');
  expect(runCli(['run', '--data-dir', kiosk, '--scanner', 'stdin'], `${AN}\n`).code).toBe(0);
  expect((await central(['--data-dir', server, '--port', '0'])).code).toBe(0);
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
}, 120_000);
afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

type Row = [label: string, argv: () => string[], input: string, code: number, stderr: RegExp];

describe('kiosk commands', () => {
  const rows: Row[] = [
    ['verify: a verdict (even reject)', () => ['verify', 'garbage'], '', EXIT.ok, /^$/],
    ['export of a kiosk', () => ['export', '--data-dir', kiosk], '', EXIT.ok, /^$/],
    ['audit --verify of a kiosk', () => ['audit', '--data-dir', kiosk, '--verify'], '', EXIT.ok, /^$/],
    ['an unknown command', () => ['frobnicate'], '', EXIT.usage, /unknown command "frobnicate"/],
    ['an unknown flag', () => ['export', '--data-dir', kiosk, '--bogus'], '', EXIT.usage, /--bogus/],
    ['a missing required flag', () => ['audit'], '', EXIT.usage, /--data-dir/],
    ['export: a data dir without a database', () => ['export', '--data-dir', missing], '', EXIT.usage, /no kiosk database in .*no-such-dir.*check --data-dir/],
    ['audit: a data dir without a database', () => ['audit', '--data-dir', missing], '', EXIT.usage, /no kiosk database in .*no-such-dir.*check --data-dir/],
    ['audit --verify: a data dir without a database', () => ['audit', '--data-dir', missing, '--verify'], '', EXIT.usage, /no kiosk database/],
    ['verify: a trust file that does not exist', () => ['verify', '--trust', join(missing, 't.json'), AN], '', EXIT.usage, /--trust/],
    ['run: a scan file that does not exist', () => ['run', '--data-dir', join(dir, 'k2'), '--scanner', `sim:${join(missing, 's.txt')}`], '', EXIT.usage, /the scan file .* does not exist/],
    ['export: a corrupt database (runtime)', () => ['export', '--data-dir', corrupt], '', EXIT.failure, /corrupt|not a database/i],
    ['export --reveal on a kiosk without a PIN (runtime)', () => ['export', '--data-dir', kiosk, '--reveal'], '123456\n', EXIT.failure, /no technician PIN is set/],
  ];
  it.each(rows)('%s', (_label, argv, input, code, stderr) => {
    const r = runCli(argv(), input);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code, stderr: expect.stringMatching(stderr) });
  });
});

describe('central subcommands', () => {
  const noDatabase: string[][] = [
    ['enroll-code'],
    ['admin-token'],
    ['export'],
    ['audit'],
    ['audit', '--verify'],
    ['trust-bundle'],
    ['trace', '--id', '001090001234', '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-02T00:00:00Z'],
    ['provision-card', '--checkpoint', 'GATE-1'],
    ['revoke-device', '--device', 'd1'],
    ['config', 'show'],
    ['group', 'set', '--device', 'd1', '--group', 'g'],
    ['release', 'set', '--version', '1.0.0', '--staging-percentage', '5'],
  ];
  it.each(noDatabase)('central %s on a data dir without a database → exit 2 naming the subcommand', async (...words) => {
    const sub = words.filter((w) => !w.startsWith('-')).slice(0, words[0] === 'config' || words[0] === 'group' || words[0] === 'release' ? 2 : 1).join(' ');
    const r = await central([...words, '--data-dir', missing]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(new RegExp(`^central ${sub}: the data dir .*no-such-dir holds no central database`));
  });
  it('central --data-dir naming a file → exit 2 in plain words (not the raw EEXIST)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await central(['--data-dir', file, '--port', '0']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^central: --data-dir .*a-file is a file, not a folder: name a folder for the central server's data/);
  });
  const rows: Row[] = [
    ['enroll-code', () => ['enroll-code', '--data-dir', server], '', EXIT.ok, /^$/],
    ['audit --verify', () => ['audit', '--verify', '--data-dir', server], '', EXIT.ok, /^$/],
    ['an unknown subcommand', () => ['frobnicate', '--data-dir', server], '', EXIT.usage, /unknown subcommand "frobnicate"/],
    ['an unknown flag', () => ['audit', '--data-dir', server, '--bogus'], '', EXIT.usage, /--bogus/],
    ['revoke-device of a device the server does not know', () => ['revoke-device', '--data-dir', server, '--device', 'nobody'], '', EXIT.usage, /--device nobody: no such device/],
    ['config set --device of a device the server does not know', () => ['config', 'set', '--data-dir', server, '--device', 'nobody', '--file', join(dir, 'profile.json')], '', EXIT.usage, /^central config set: --device nobody: no such device/],
    ['config show --device of a device the server does not know', () => ['config', 'show', '--data-dir', server, '--device', 'nobody'], '', EXIT.usage, /^central config show: --device nobody: no such device/],
    ['group set --device of a device the server does not know', () => ['group', 'set', '--data-dir', server, '--device', 'nobody', '--group', 'gate-a'], '', EXIT.usage, /^central group set: --device nobody: no such device/],
    ['config set --file naming a folder says so, not EISDIR', () => ['config', 'set', '--data-dir', server, '--group', 'gate-a', '--file', dir], '', EXIT.usage, /^central config set: --file .*: a directory; name the JSON file that holds the profile/],
    ['config set --file naming no file says what to check', () => ['config', 'set', '--data-dir', server, '--group', 'gate-a', '--file', join(dir, 'nope.json')], '', EXIT.usage, /^central config set: --file .*nope\.json: no such file; check the path/],
    ['trace --from given but not a date-time: quoted, with an example (not "required")', () => ['trace', '--data-dir', server, '--id', '001090001234', '--from', 'today', '--to', '2026-11-02T00:00:00Z'], '', EXIT.usage, /^central trace: --from: not an ISO date-time: today \(e\.g\. 2026-12-06T08:00/],
    ['trace without --from: required', () => ['trace', '--data-dir', server, '--id', '001090001234', '--to', '2026-11-02T00:00:00Z'], '', EXIT.usage, /^central trace: --from: required ISO date-time \(e\.g\./],
    ['lawful export --to given but not a date-time', () => ['export', '--data-dir', server, '--from', '2026-11-01T00:00:00Z', '--to', 'tomorrow', '--requested-by', 'Police', '--reason', 'case 1', '--out', join(dir, 'x.jws')], '', EXIT.usage, /^central export: --to: not an ISO date-time: tomorrow/],
    ['lawful export --out in a folder that does not exist: a usage error naming the folder (no temporary file name)', () => ['export', '--data-dir', server, '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-02T00:00:00Z', '--requested-by', 'Police', '--reason', 'case 1', '--out', join(dir, 'no-such-folder', 'x.jws')], '', EXIT.usage, /^central export: --out \S*x\.jws: the folder \S*no-such-folder does not exist; create it first/],
    ['lawful export --out - (standard output): refused, a signed export is a file', () => ['export', '--data-dir', server, '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-02T00:00:00Z', '--requested-by', 'Police', '--reason', 'case 1', '--out', '-'], '', EXIT.usage, /^central export: --out -: a signed export is written to a file/],
    ['config set --group (a group needs no device yet)', () => ['config', 'set', '--data-dir', server, '--group', 'gate-a', '--file', join(dir, 'profile.json')], '', EXIT.ok, /^$/],
    ['release set of a release that was never added', () => ['release', 'set', '--data-dir', server, '--version', '9.9.9', '--staging-percentage', '5'], '', EXIT.usage, /--version 9\.9\.9: no such release/],
    ['the server on a port that is taken (runtime)', () => ['--data-dir', server, '--port', String(takenPort)], '', EXIT.failure, /EADDRINUSE|in use/],
  ];
  it.each(rows)('%s', async (_label, argv, _input, code, stderr) => {
    const r = await central(argv());
    expect(r).toMatchObject({ code, stderr: expect.stringMatching(stderr) });
  });
});

describe('--version', () => {
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  it.each([['--version'], ['-V'], ['central --version']])('checkpoint-kiosk %s prints the package version and exits 0', (args) => {
    const r = runCli(args.split(' '));
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: EXIT.ok, stdout: `${version}\n`, stderr: '' });
  });
});
