/**
 * A reader that stops early (`checkpoint-kiosk export | head -1`) closes the pipe: the command
 * ends quietly with exit 0, never with an EPIPE stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ck-epipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('export into a reader that closes after the first line ends with exit 0 and no stack trace', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `001090${String(i).padStart(6, '0')}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021`);
  expect(runCli(['run', '--data-dir', dir, '--scanner', 'stdin', '--ui', 'none'], `${lines.join('\n')}\n`).code).toBe(0);
  const cmd = `${JSON.stringify(process.execPath)} ${CLI.map((a) => JSON.stringify(a)).join(' ')} export --data-dir ${JSON.stringify(dir)} | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`;
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: process.cwd() });
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
  expect(r.stderr).toContain('rc=0');
}, 60_000);
