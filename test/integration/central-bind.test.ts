/**
 * `central --host` / `--port` that cannot be bound are refused in plain words before anything is
 * created: an address this machine does not have (even with `--port 0`, which skips no probe) is
 * a usage problem (exit 2) and leaves no data dir; a busy port stays exit 1 (another server may
 * still be stopping: a supervisor retries). The refusals for a privileged port and an unresolvable
 * name are checked on the error mapping (this test may run as root, where port 80 binds).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bindProblem } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-bind-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function central(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stopSignal: Promise.resolve() });
  return { code, stdout, stderr };
}

// 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
it.each(['0', '8080'])('refuses --host 192.0.2.1 (not on this machine) with --port %s before creating the data dir (exit 2)', async (port) => {
  const c9 = path.join(dir, 'c9');
  const r = await central(['--data-dir', c9, '--host', '192.0.2.1', '--port', port]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('central: --host 192.0.2.1 is not an address of this machine; give one of its own addresses (ip -brief address), 0.0.0.0 for all of them, or 127.0.0.1\n');
  expect(r.stdout).toBe('');
  expect(fs.existsSync(c9)).toBe(false);
});

it('a busy port stays a runtime failure (exit 1) and creates nothing', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    const c9 = path.join(dir, 'busy');
    const r = await central(['--data-dir', c9, '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(fs.existsSync(c9)).toBe(false);
  } finally {
    blocker.close();
  }
});

it('names the fix for a privileged port and an unresolvable host name', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });
  expect(bindProblem(errno('EACCES'), '0.0.0.0', 80)).toMatchObject({ usage: true, message: 'port 80 on 0.0.0.0 needs privileges this process lacks; choose a port above 1023' });
  expect(bindProblem(errno('ENOTFOUND'), 'central.invalid', 8080)).toMatchObject({ usage: true, message: expect.stringContaining('--host central.invalid does not resolve to an address') as unknown });
  expect(bindProblem(errno('EADDRINUSE'), '127.0.0.1', 8080)).toMatchObject({ usage: false });
  expect(bindProblem(errno('EMFILE'), '127.0.0.1', 8080)).toBeUndefined();
});

it('starts and stops normally on 127.0.0.1 --port 0 (the probe releases what it bound)', async () => {
  const r = await central(['--data-dir', path.join(dir, 'ok'), '--port', '0']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('"event":"listening"');
});
