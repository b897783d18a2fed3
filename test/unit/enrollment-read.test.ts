/**
 * readEnrollment: an enrollment.json written by an older version whose server URL carries
 * user-info (http://bob:s3cret@host) is read without it (the server never took it; sent, it made
 * every request 401), with a warning that names the removal but never the password.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENROLLMENT_FILE, readEnrollment } from '../../src/sync/enrollment.js';
import type { Logger } from '../../src/shared/ports.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-enrollment-read-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    debug: (msg, fields) => lines.push(`debug ${msg} ${JSON.stringify(fields ?? {})}`),
    info: (msg, fields) => lines.push(`info ${msg} ${JSON.stringify(fields ?? {})}`),
    warn: (msg, fields) => lines.push(`warn ${msg} ${JSON.stringify(fields ?? {})}`),
    error: (msg, fields) => lines.push(`error ${msg} ${JSON.stringify(fields ?? {})}`),
    child: () => logger,
  };
  return { logger, lines };
}

function save(serverUrl: string, servers?: string[]): void {
  const trustKey = { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ' };
  fs.writeFileSync(path.join(dir, ENROLLMENT_FILE), JSON.stringify({ serverUrl, ...(servers ? { servers } : {}), deviceId: 'dev-1', token: 'tok', trustKey, enrolledAt: '2026-12-01T00:00:00.000Z' }));
}

describe('readEnrollment', () => {
  it('strips user-info from a saved server URL (and its node list), warning without the password', () => {
    save('http://bob:s3cret@127.0.0.1:47900', ['http://bob:s3cret@127.0.0.1:47900', 'https://node2.example']);
    const { logger, lines } = capture();
    const e = readEnrollment(dir, logger);
    expect(e).toMatchObject({ serverUrl: 'http://127.0.0.1:47900', servers: ['http://127.0.0.1:47900', 'https://node2.example'], deviceId: 'dev-1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn .*user-info removed/);
    expect(lines[0]).not.toMatch(/s3cret|bob/);
  });

  it('a file without servers (older) and a clean URL: read as saved, nothing logged', () => {
    save('http://alice:pw@h.example:8443/');
    expect(readEnrollment(dir)).toMatchObject({ serverUrl: 'http://h.example:8443/', servers: ['http://h.example:8443/'] });
    save('https://h.example');
    const { logger, lines } = capture();
    expect(readEnrollment(dir, logger)).toMatchObject({ serverUrl: 'https://h.example', servers: ['https://h.example'] });
    expect(lines).toEqual([]);
  });
});
