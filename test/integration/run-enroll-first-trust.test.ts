/**
 * A kiosk started with `--enroll CODE` judges its first scans with the server's trust bundle: they
 * wait for the enrollment and the first bundle (bounded), instead of being judged with no signers
 * and recorded as red `unknown-signer` check-ins of the server's own valid declarations. Real
 * central server (SQLite) in its own process, the real command.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { SECRET_FILES } from '../../server/secrets.js';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import { kidOfPublicKey } from '../../src/credentials/trust/kid.js';
import { runCli } from '../helpers/cli.js';
import { sampleDeclaration } from '../helpers/declaration.js';
import { freePort, killAndWait, spawnCentral } from '../helpers/sync-fixtures.js';

const CODE = 'FIRST-TRUST-1';
let dir: string;
let central: { child: ChildProcess; url: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-enroll-trust-'));
  central = await spawnCentral(['--data-dir', join(dir, 'central'), '--port', String(await freePort()), '--enrollment-code', CODE]);
}, 90_000);
afterAll(async () => {
  await killAndWait(central.child, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

it('accepts the server\'s own declaration on the first scan after --enroll', () => {
  const privateKey = createPrivateKey(readFileSync(join(dir, 'central', SECRET_FILES['declaration-key']), 'utf8'));
  const ckd = issueDeclaration(sampleDeclaration(), { privateKey, kid: kidOfPublicKey(createPublicKey(privateKey)) }, { iss: 'central', now: new Date() });
  const r = runCli(['run', '--data-dir', join(dir, 'kiosk'), '--scanner', 'stdin', '--server', central.url, '--enroll', CODE], `${ckd}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.lines.find((l) => l.event === 'checkin')).toMatchObject({ format: 'ckd1', verdict: 'accept', reasons: [] });
}, 90_000);
