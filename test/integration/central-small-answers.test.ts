/**
 * Small answers of the central server a first-time user meets: `central config show` on a server
 * with no configuration profile says so (and how to add one) instead of printing nothing, and the
 * browser's `/favicon.ico` request from the operations room or the declaration form is answered
 * 204 (no 404 in the browser console). On a real SQLite data dir and a real HTTP server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger, systemClock } from '../../src/core/system.js';

let dir: string;
let central: CentralServer;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-small-'));
  central = await startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock: systemClock });
});
afterAll(async () => {
  await central?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

it('config show with no profiles says there are none and how to add one; stdout stays JSON lines', async () => {
  const none = await cli(['config', 'show', '--data-dir', dir]);
  expect(none).toEqual({
    code: 0,
    stdout: '',
    stderr: 'central config show: no configuration profiles yet; add one with `central config set (--data-dir DIR | --database URL) (--device ID | --group G) --file profile.json`\n',
  });
  const file = path.join(dir, 'profile.json');
  fs.writeFileSync(file, JSON.stringify({ checkpoint: 'GATE-1' }));
  expect((await cli(['config', 'set', '--data-dir', dir, '--group', 'gates', '--file', file])).code).toBe(0);
  const one = await cli(['config', 'show', '--data-dir', dir]);
  expect(one.code).toBe(0);
  expect(one.stderr).toBe('');
  expect(JSON.parse(one.stdout)).toMatchObject({ scope: 'group', target: 'gates' });
});

it('answers the browser favicon request with 204 and no body', async () => {
  for (const referer of ['/dashboard', '/declare']) {
    const res = await fetch(`${central.url}/favicon.ico`, { headers: { referer: `${central.url}${referer}`, accept: 'image/avif,image/webp,*/*' } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
  }
});
