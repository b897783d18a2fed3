/**
 * One "can we listen here?" probe (src/cli/listen-probe.ts) with one wording, used by the kiosk's
 * web mode, the central server and the demo: the same busy port gets the same plain sentence
 * from each (and each keeps its exit code: run 1, central 1 for a busy port, 2 for flags at
 * fault). Real sockets on 127.0.0.1 and real processes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortBusyError, listenRefusal, probeListen } from '../../src/cli/listen-probe.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/pty.js';

let dir: string;
let holder: net.Server;
let port: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-listen-'));
  holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  port = (holder.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => holder.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

const busy = () => `port ${port} on 127.0.0.1 is already in use (another server or kiosk?)`;

describe('the probe', () => {
  it('maps a busy port, an address not ours, and a free port', async () => {
    const err = await probeListen('127.0.0.1', port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortBusyError);
    expect(err).toMatchObject({ code: 'EADDRINUSE', usage: false, problem: busy(), fix: 'stop it or choose another --port', message: `${busy()}; stop it or choose another --port` });
    // TEST-NET-1 (RFC 5737): never an address of this machine.
    expect(await listenRefusal('192.0.2.1', 0)).toMatchObject({ code: 'EADDRNOTAVAIL', usage: true, problem: '--host 192.0.2.1 is not an address of this machine' });
    expect(await listenRefusal('127.0.0.1', 0)).toBeUndefined();
  });
});

describe('every command says it the same way', () => {
  it('run --ui web: exit 1 with the sentence', () => {
    const r = runCli(['run', '--ui', 'web', '--data-dir', path.join(dir, 'kiosk'), '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${busy()}; stop it or choose another --port`);
  });

  it('central: exit 1 with the sentence', () => {
    const r = runCli(['central', '--data-dir', path.join(dir, 'central'), '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${busy()}; stop it or choose another --port`);
  });

  it('the demo: a kept port that is taken is replaced, saying why in the same words', async () => {
    const data = path.join(dir, 'demo');
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, 'demo.json'), `${JSON.stringify({ port })}\n`);
    const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--interval-ms', '60000', '--data-dir', data], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
    let out = '';
    let err = '';
    demo.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    demo.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    try {
      await waitFor(() => out.includes('checkpoint-kiosk demo is running') || demo.exitCode !== null, { timeoutMs: 60_000, intervalMs: 50, what: `the demo banner (stderr: ${err})` });
      expect(out).toContain(`${busy()}; the central server (the kiosk enrolls there anew) takes another one`);
    } finally {
      demo.kill('SIGINT');
      await exited;
    }
  }, 90_000);
});
