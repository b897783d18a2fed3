/**
 * `checkpoint-kiosk central trust-bundle`: the bundle the server publishes, as plain JSON that
 * `verify --trust FILE` takes — with the content of the server's own --trust file and its
 * declaration issuer, so a CKD1 the server issued verifies offline against it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCentral } from '../../server/app.js';
import { SECRET_FILES } from '../../server/secrets.js';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import { kidOfPublicKey } from '../../src/credentials/trust/kid.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { runCli } from '../helpers/cli.js';
import { sampleDeclaration } from '../helpers/declaration.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'central-bundle-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('writes the published bundle as JSON that verify --trust accepts', async () => {
  const base = path.join(dir, 'base.json');
  fs.writeFileSync(base, JSON.stringify({ version: 1, issuedAt: '2026-11-01T00:00:00Z', status: { entries: [{ id: 'Q0012088HUNG', status: 'blocked' }] } }));
  const server = await startCentral({ dataDir: path.join(dir, 'central'), port: 0, trustFile: base, logger: silentLogger, clock: systemClock });
  await server.close();

  const printed = runCli(['central', 'trust-bundle', '--data-dir', path.join(dir, 'central')]);
  expect(printed.stderr).toBe('');
  expect(printed.code).toBe(0);
  const bundle = JSON.parse(printed.stdout) as { version: number; issuedAt: string; status: unknown; declaration: { issuers: { kid: string }[] } };
  expect(bundle.version).toBe(1);
  expect(bundle.status).toEqual({ entries: [{ id: 'Q0012088HUNG', status: 'blocked' }] });

  const file = path.join(dir, 'bundle.json');
  const written = runCli(['central', 'trust-bundle', '--data-dir', path.join(dir, 'central'), '--out', file]);
  expect(written.code).toBe(0);
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(bundle);

  // A declaration signed with the server's issuer key verifies against the exported bundle …
  const privateKey = createPrivateKey(fs.readFileSync(path.join(dir, 'central', SECRET_FILES['declaration-key']), 'utf8'));
  const kid = kidOfPublicKey(createPublicKey(privateKey));
  expect(bundle.declaration.issuers.map((i) => i.kid)).toContain(kid);
  const ckd = issueDeclaration(sampleDeclaration(), { privateKey, kid }, { iss: 'central', now: new Date() });
  expect(runCli(['verify', '--trust', file, ckd]).lines[0]).toMatchObject({ format: 'ckd1', verdict: 'accept', reasons: [] });
  // … and the status list of the server's --trust file is in it.
  expect(runCli(['verify', '--trust', file, '******205678|PHAM QUOC HUNG|1988-**-**|0|Q0012088HUNG|']).lines[0]).toMatchObject({ verdict: 'refer', reasons: ['identity-only', 'status:blocked'] });
}, 180_000); // five child processes through tsx: slow on a busy 2-core machine, not a timing check

it('says clearly when there is no central server in the data dir', () => {
  const r = runCli(['central', 'trust-bundle', '--data-dir', path.join(dir, 'none')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('holds no central database');
  expect(runCli(['central', 'trust-bundle', '--data-dir', dir, '--out', '']).code).toBe(2);
}, 120_000);
