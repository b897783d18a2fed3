/** Builds the kiosk screens (renderer/dist) for `npm run demo` when a checkout lacks them. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './demo-child.js';

export function ensureRenderer(): void {
  if (existsSync(path.join(ROOT, 'renderer', 'dist', 'index.html'))) return;
  process.stderr.write('building the kiosk screens (renderer/dist)...\n');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('renderer build failed: run `npm run build:renderer` and look at its errors');
}
