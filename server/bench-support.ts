/**
 * What the backlog-drain benchmark needs from the central server: a server with an enrolled device
 * (no HTTP round trip for the enrollment), and the floor — raw POSTs of pre-serialised batches.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { startCentral } from './app.js';
import type { CentralOptions, CentralServer } from './app.js';
import { addEnrollmentCode, enrollDevice } from './enrollment.js';

/** Starts a central server and enrolls one device directly in its storage. */
export async function startCentralWithDevice(opts: CentralOptions): Promise<{ server: CentralServer; token: string; deviceId: string }> {
  const server = await startCentral(opts);
  const code = randomUUID();
  await addEnrollmentCode(server.storage, code, opts.clock.now());
  const out = await enrollDevice(server.storage, code, { name: 'bench', version: '0', platform: process.platform }, opts.clock.now());
  if (!out.ok) throw new Error(`bench enrollment failed: ${out.error}`);
  return { server, token: out.token, deviceId: out.deviceId };
}

/**
 * POSTs each body (already JSON {checkins:[...]} and gzip-compressed, when `gzip`) to
 * /api/v1/checkins, one after the other, on one keep-alive connection. Resolves with the total ms.
 * Throws on any non-200 answer.
 */
export async function postPreserialisedBatches(url: string, token: string, bodies: readonly Buffer[], gzip = true): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL('/api/v1/checkins', url);
  const started = performance.now();
  try {
    for (const body of bodies) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request(
          target,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': String(body.length),
              authorization: `Bearer ${token}`,
              ...(gzip ? { 'content-encoding': 'gzip' } : {}),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`raw POST answered ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }
  } finally {
    agent.destroy();
  }
  return performance.now() - started;
}
