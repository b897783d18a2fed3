/**
 * TLS to the central server (docs/OPERATIONS.md): a server whose certificate comes from a private CA is
 * refused by default (never `rejectUnauthorized: false`), and accepted with that CA configured.
 * Certificates are made with the openssl command; the central server sits behind a real HTTPS
 * reverse proxy on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import { openStore } from '../../src/store/index.js';
import { drainBacklog, startForwarder } from '../../src/sync/index.js';
import { startCentralWithDevice } from '../../server/bench-support.js';
import type { CheckIn } from '../../src/shared/types.js';
import { waitFor } from '../helpers/pty.js';

let dir: string;
let central: Awaited<ReturnType<typeof startCentralWithDevice>>;
let proxy: https.Server;
let httpsUrl: string;
let caPem: string;

function openssl(args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-tls-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Checkpoint Test CA']);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  const ext = join(dir, 'ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${ext}`]);
  openssl(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', ext]);
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');

  central = await startCentralWithDevice({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock });
  const target = new URL(central.server.url);
  proxy = https.createServer({ key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) }, (req, res) => {
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  httpsUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => proxy.close(r));
  await central.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const checkIn = (n: number): CheckIn => ({
  id: `01a2138e-0000-7000-8000-${String(n).padStart(12, '0')}`,
  deviceId: central.deviceId,
  checkpointId: 'HN-01',
  direction: 'in',
  scannedAt: new Date().toISOString(),
  format: 'cccd',
  verdict: 'accept',
  reasons: ['identity-only'],
  subject: {},
});

describe('forwarding over TLS with a private CA', () => {
  it('refuses the server without the CA, and delivers with it', async () => {
    const store = openStore({ dir: join(dir, 'kiosk'), logger: silentLogger, clock: systemClock });
    for (let i = 1; i <= 5; i++) store.record(checkIn(i));

    const common = { store, serverUrl: httpsUrl, token: central.token, clock: systemClock, timers: systemTimers, logger: silentLogger };
    const untrusted = startForwarder({ ...common, backoff: { baseMs: 50, capMs: 200 } });
    await waitFor(() => untrusted.state().failures > 0, { timeoutMs: 10_000, what: 'the TLS failure' });
    expect(untrusted.state().lastError).toMatch(/certificate|self.signed|issuer/i);
    await untrusted.stop();
    expect(store.queueStats().depth).toBe(5);

    const result = await drainBacklog({ ...common, ca: caPem });
    expect(result.forwarded).toBe(5);
    expect(store.queueStats().depth).toBe(0);
    store.close();
  });
});
