/**
 * `run --drain-seconds 0` at the end of input: no delivery attempt, but the check-ins left are
 * still named (README, `run`: a `pending` event on stdout and a line on stderr), exit 0.
 * An enrolled data dir whose server port is closed: no central server is needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { newEcKey } from '../helpers/keys.js';
import { freePort } from '../helpers/sync-fixtures.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-drain0-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('--drain-seconds 0 names the check-ins left on stdout and stderr', async () => {
  const data = join(dir, 'kiosk');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const url = `http://127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(data, 'enrollment.json'),
    JSON.stringify({ serverUrl: url, servers: [url], deviceId: 'dev-drain0', token: 't'.repeat(40), trustKey: newEcKey().publicJwk, enrolledAt: new Date().toISOString() }),
    { mode: 0o600 },
  );
  const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin', '--drain-seconds', '0'], `${AN}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.lines.filter((l) => l.event === 'checkin')).toHaveLength(1);
  expect(r.lines.find((l) => l.event === 'pending')).toMatchObject({ checkins: 1, overrides: 0 });
  expect(r.stderr).toMatch(/1 check-in not delivered \(--drain-seconds 0: no delivery attempt at the end of input\); they are kept in .*kiosk and sent at the next start/);
  expect(r.lines.at(-1)?.event).toBe('stopped');
}, 60_000);
