/**
 * Enrollment codes resist guessing: a code given at start must meet the stated rule (8-128
 * characters of A-Z, 0-9 and '-', at least 6 letters or digits; `TEST` is refused, exit 2 from the
 * CLI), and wrong codes are throttled per client address and in all — past the limit
 * `POST /api/v1/enroll` answers 429 with Retry-After without looking at the code, until the window
 * has passed. The kiosk's enrollment reads the 429 as "wait", not as a refused code. Real server on
 * 127.0.0.1, SQLite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { enrollmentCodeProblem } from '../../server/enrollment.js';
import { createEnrollThrottle } from '../../server/enroll-throttle.js';
import { silentLogger } from '../../src/core/system.js';
import { enroll, EnrollmentError } from '../../src/sync/enrollment.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-enroll-throttle-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the code rule', () => {
  it('refuses codes too short or outside the alphabet, naming the rule; keeps the codes in use', () => {
    for (const weak of ['TEST', 'ABC-123', '--------ab', 'CODE_ONE_1', 'KÓD-12345']) {
      expect(enrollmentCodeProblem(weak)).toContain("must be 8 to 128 characters from A-Z, 0-9 and '-' (case and spaces do not count), at least 6 of them letters or digits");
    }
    for (const ok of ['K7QM-2XRP-9HTD', 'k7qm 2xrp 9htd', 'CODE-ONE', 'FWD-CODE', 'E2E-CODE-1', 'NODES-CODE-1']) expect(enrollmentCodeProblem(ok)).toBeUndefined();
  });

  it('central --enrollment-code TEST is exit 2, before anything is created', async () => {
    let stderr = '';
    const dataDir = path.join(dir, 'weak');
    const code = await centralMain(['--data-dir', dataDir, '--port', '0', '--enrollment-code', 'TEST'], { stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(code).toBe(2);
    expect(stderr).toContain('central: --enrollment-code: enrollment code "TEST" is too weak or malformed: it must be 8 to 128 characters');
    expect(fs.existsSync(dataDir)).toBe(false);
    await expect(startCentral({ dataDir, port: 0, logger: silentLogger, clock: { now: () => 0 }, enrollmentCodes: ['TEST'] })).rejects.toThrow(/too weak/);
  });
});

describe('wrong codes', () => {
  let now = Date.parse('2026-12-07T02:00:00Z');
  const clock = { now: () => now };
  let server: CentralServer;
  beforeAll(async () => {
    server = await startCentral({
      dataDir: path.join(dir, 'central'),
      port: 0,
      logger: silentLogger,
      clock,
      enrollmentCodes: ['GOOD-CODE-1'],
      enrollThrottle: { perClient: 3, global: 5, windowMs: 60_000 },
    });
  });
  afterAll(() => server.close());

  const post = async (code: string) => {
    const res = await fetch(`${server.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, device: { name: 'k', version: '1', platform: 'linux' } }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as Record<string, unknown> };
  };

  it('answers 429 with Retry-After past the limit, even to the right code, until the window has passed', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await post(`WRONG-CODE-${i}`)).status).toBe(403);
      now += 1_000;
    }
    const throttled = await post('GOOD-CODE-1');
    expect(throttled).toMatchObject({ status: 429, retryAfter: '57', json: { error: 'too-many-attempts' } });
    expect(throttled.json.message).toBe('too many wrong enrollment codes lately; try again in 57 s');

    // The kiosk hears "wait that long", not "the code was refused".
    const kiosk = await enroll({ serverUrl: server.url, code: 'GOOD-CODE-1', dataDir: path.join(dir, 'kiosk'), device: { name: 'k', version: '1', platform: 'linux' }, now: clock.now }).catch((e: unknown) => e);
    expect(kiosk).toBeInstanceOf(EnrollmentError);
    expect(kiosk).toMatchObject({ status: 429, code: 'too-many-attempts', retryAfterMs: 57_000 });

    // Once the first failure is a minute old, one more try is allowed; the right code enrolls and does not count.
    now += 57_000;
    const ok = await post('GOOD-CODE-1');
    expect(ok.status).toBe(200);
    expect(typeof ok.json.token).toBe('string');
  });

  it('bounds the failures of all clients together', () => {
    let t = 0;
    const throttle = createEnrollThrottle({ now: () => t }, { perClient: 3, global: 5, windowMs: 60_000 });
    for (const client of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']) {
      expect(throttle.retryAfterSeconds(client)).toBeUndefined();
      throttle.failed(client);
      t += 1_000;
    }
    // Five addresses with one failure each: every address waits, a new one too.
    expect(throttle.retryAfterSeconds('10.0.0.9')).toBe(55);
    t = 60_000;
    expect(throttle.retryAfterSeconds('10.0.0.9')).toBeUndefined();
  });
});
