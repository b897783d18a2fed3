/**
 * scripts/check-system.mjs (run before the tests): on a machine without the system packages the
 * tests need, it names each of them and prints the one apt-get line that installs them all.
 */
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const check = (env: NodeJS.ProcessEnv, args: string[] = []) => spawnSync(process.execPath, ['scripts/check-system.mjs', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });

it('names every missing package with the exact apt-get line and exits 1', () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'ck-noroot-'));
  try {
    const r = check({ PATH: empty }, ['--root', empty]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('apt-get install -y socat udev libusb-1.0-0 chromium postgresql ffmpeg openssl\n');
    for (const what of ['socat', 'udevadm', 'libusb', 'chromium', 'initdb', 'ffmpeg', 'openssl']) expect(r.stderr).toContain(what);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

it('passes quietly on this machine, where everything is installed', () => {
  const r = check(process.env);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('refuses an unknown option', () => {
  const r = check(process.env, ['--bogus']);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('usage:');
});
