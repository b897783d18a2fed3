/**
 * The built runtime for benchmarks that start the real command: a fresh build of the current
 * sources (scripts/build.mjs) into test-output/bench-build, made once per bench run, so a figure
 * never comes from a stale dist/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let built: string | undefined;

/** Path of the built `checkpoint-kiosk` entry (dist/cli/entry.js of a fresh build). */
export function builtCli(): string {
  if (!built) {
    const out = join(REPO_ROOT, 'test-output', 'bench-build');
    mkdirSync(out, { recursive: true });
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', out], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed: ${r.stderr.slice(0, 500)}`);
    built = join(out, 'cli', 'entry.js');
  }
  return built;
}
