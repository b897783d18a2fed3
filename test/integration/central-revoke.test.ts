/**
 * `central revoke-device` is idempotent: revoking a revoked device keeps the first revocation
 * (its time included), says it was already revoked and exits 0. Real SQLite data dir, the same
 * centralMain the command runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { centralMain } from '../../server/cli.js';
import { openSqliteStorage } from '../../server/storage/sqlite-storage.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-revoke-'));
  const storage = openSqliteStorage(dir);
  storage.db.prepare("INSERT INTO devices (id, name, version, platform, token_hash, enrolled_at) VALUES ('dev-1', 'k', '1', 'linux', 'h-dev-1', '2026-11-29T00:00:00Z')").run();
  await storage.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function revoke(): Promise<{ code: number; line: Record<string, unknown>; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(['revoke-device', '--data-dir', dir, '--device', 'dev-1'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, line: JSON.parse(stdout) as Record<string, unknown>, stderr };
}

it('revoking again keeps the original revocation and says so, exit 0', async () => {
  const first = await revoke();
  expect(first.code).toBe(0);
  expect(first.line).toEqual({ event: 'revoked', device: 'dev-1', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  expect(first.stderr).toBe('');
  // The clock moves on between the two; the answer and the stored time must not.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = await revoke();
  expect(second.code).toBe(0);
  expect(second.line).toEqual({ event: 'revoked', device: 'dev-1', at: first.line.at, already: true });
  expect(second.stderr).toMatch(new RegExp(`device dev-1 was already revoked at ${String(first.line.at)}; nothing changed`));
  const storage = openSqliteStorage(dir);
  try {
    expect(await storage.fleet.revokedDevices(10)).toEqual([{ deviceId: 'dev-1', revokedAt: first.line.at }]);
  } finally {
    await storage.close();
  }
});
