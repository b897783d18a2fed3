/**
 * `run --server URL --enroll CODE` against a real local HTTP server that answers the enrollment
 * with 429 and `Retry-After` (the central server's throttle of wrong codes): the kiosk reports it
 * as a delay, not a failure — on stdout the `error` event "enrollment delayed: the server asks to
 * wait N s (…); the kiosk tries again by itself", on stderr a log line saying the same — and tries
 * again by itself once Retry-After has passed (Retry-After 33 s, longer than the kiosk's own 30 s
 * between attempts, so the second request shows that the header was honoured), with the same code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';

/** The port the local server got from the system (0 asked: never one another test holds). */
let port = 0;
const RETRY_AFTER_S = 33;

let dir: string;
let server: http.Server;
/** Each enrollment request: when it arrived (ms) and the code it carried. */
const enrolls: { at: number; code: unknown }[] = [];
const others: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-enroll-429-'));
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v1/enroll') {
        enrolls.push({ at: Date.now(), code: (JSON.parse(body) as { code?: unknown }).code });
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_S) });
        res.end(JSON.stringify({ error: 'too-many-attempts', message: 'too many enrollment attempts from this address; try again later' }));
        return;
      }
      others.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not-found', message: 'not found' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve();
    });
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function until(pred: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('run --enroll answered 429 with Retry-After', () => {
  it('says the enrollment is delayed (stdout and stderr), and tries again by itself after Retry-After', async () => {
    const p = startCli(['run', '--data-dir', join(dir, 'kiosk'), '--scanner', 'stdin', '--server', `http://127.0.0.1:${port}`, '--enroll', 'GOOD-CODE-1']);
    try {
      const problem = await p.waitFor((l) => l.event === 'error', 30_000);
      expect(problem).toEqual({
        event: 'error',
        reason: 'enrollment',
        message: `enrollment delayed: the server asks to wait ${RETRY_AFTER_S} s (enrollment refused: too many enrollment attempts from this address; try again later); the kiosk tries again by itself`,
      });
      expect(enrolls).toHaveLength(1);
      // The log says the same: a delay, not a failure.
      await until(() => p.stderr().includes('enrollment delayed'), 5_000);
      expect(p.stderr()).toContain('"msg":"enrollment delayed: the server asks to wait; the kiosk tries again by itself"');
      expect(p.stderr()).toContain(`"retryInMs":${RETRY_AFTER_S * 1000}`);
      expect(p.stderr()).not.toContain('"msg":"enrollment failed"');

      // The second attempt: not before Retry-After (the kiosk's own wait is 30 s), not much later.
      await until(() => enrolls.length >= 2, (RETRY_AFTER_S + 15) * 1000);
      const gap = enrolls[1]!.at - enrolls[0]!.at;
      expect(gap).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
      expect(gap).toBeLessThan((RETRY_AFTER_S + 5) * 1000);
      expect(enrolls.map((e) => e.code)).toEqual(['GOOD-CODE-1', 'GOOD-CODE-1']);
      // Told again for the second 429, still as a delay; nothing else was asked of the server.
      await p.waitFor((l) => l.event === 'error', 10_000, p.lines.indexOf(problem) + 1);
      expect(p.lines.filter((l) => l.event === 'error').map((l) => l.message)).toEqual([problem.message, problem.message]);
      expect(others).toEqual([]);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect((await p.exited).code, p.stderr()).toBe(0);
  }, 90_000);
});
