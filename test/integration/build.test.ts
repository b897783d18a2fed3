/**
 * The compiled runtime: `npm ci` runs scripts/build.mjs (through `prepare`), and
 * bin/checkpoint-kiosk.js, `npm run demo`, the central server and the Electron main run what it
 * writes. This builds a fresh copy into a temporary folder (never the checkout's dist/, which may
 * be stale) and runs the built command like a user would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

let out: string;

const built = (args: string[], input = '') =>
  spawnSync(process.execPath, [path.join(out, 'cli', 'entry.js'), ...args], { cwd: REPO_ROOT, input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });

beforeAll(() => {
  mkdirSync(path.join(REPO_ROOT, 'test-output'), { recursive: true });
  // Inside the checkout so that the external packages (better-sqlite3, …) resolve from it.
  out = mkdtempSync(path.join(REPO_ROOT, 'test-output', 'build-'));
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', out], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the built command', () => {
  it('verifies a payload and prints one JSON line, without tsx', () => {
    const r = built(['verify', '079090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'cccd', verdict: 'accept', reasons: ['identity-only'] });
    // The bundle carries its dependencies' code and loads no TypeScript loader.
    for (const file of ['entry.js', 'central.js', 'demo.js']) expect(readFileSync(path.join(out, 'cli', file), 'utf8')).not.toMatch(/from ["']tsx/);
  });

  it('answers a bad flag with the usage text and exit code 2', () => {
    const r = built(['verify', '--bogus', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('runs the central server commands (lazily loaded chunk)', () => {
    const r = spawnSync(process.execPath, [path.join(out, 'cli', 'central.js'), 'export'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--data-dir');
    // The stand-alone central server answers --help with its own usage (was: "Unknown option").
    const help = spawnSync(process.execPath, [path.join(out, 'cli', 'central.js'), '--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}checkpoint-kiosk central \(--data-dir/);
    expect(help.stdout).toContain('--retention-days N');
  });

  it('serves the operations room and declaration form with their stylesheets and page script', async () => {
    const data = mkdtempSync(path.join(out, 'central-'));
    const child = spawn(process.execPath, [path.join(out, 'cli', 'central.js'), '--data-dir', data, '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout!.setEncoding('utf8').on('data', (s: string) => {
          buf += s;
          const m = /"event":"listening","url":"([^"]+)"/.exec(buf);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`central exited ${code}`)));
      });
      for (const [name, type, marker] of [
        ['ops.css', 'text/css', '{'],
        ['declare.css', 'text/css', '{'],
        ['dashboard.js', 'text/javascript', 'uPlot'],
        ['uplot.iife.min.js', 'text/javascript', 'uPlot'],
      ] as const) {
        const res = await fetch(`${url}/assets/${name}`);
        expect(res.status, name).toBe(200);
        expect(res.headers.get('content-type'), name).toContain(type);
        expect(await res.text(), name).toContain(marker);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
  }, 60_000);

  it('loads neither the HTTP client nor the web server for a headless run (they load on first use)', () => {
    // Every chunk `run` imports statically, followed from the entry's dynamic import of it.
    const entry = readFileSync(path.join(out, 'cli', 'entry.js'), 'utf8');
    const runChunk = /run: async \(\) => \(await import\("\.\/(chunks\/run-[^"]+)"\)\)/.exec(entry)?.[1];
    expect(runChunk).toBeDefined();
    const seen = new Set<string>();
    const todo = [path.join(out, 'cli', runChunk!)];
    for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s*"(\.[^"]+)"/gms)) todo.push(path.resolve(path.dirname(file), m[1]!));
    }
    // esbuild marks each bundled file with a `// …/node_modules/<package>/…` comment.
    const packages = new Set<string>();
    for (const file of seen) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^\/\/ (?:\.\.\/)*(?:[\w-]+\/)?node_modules\/((?:@[^/]+\/)?[^/\n]+)/gm)) packages.add(m[1]!);
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(packages).toContain('certlogic-js'); // the closure is really followed: verification is in it
    for (const lazy of ['axios', 'ws', 'mime-db', 'form-data', 'follow-redirects', 'zxing-wasm']) expect(packages).not.toContain(lazy);
  });

  it('a rebuild in place keeps the previous build\'s chunks (a running kiosk loads some only when first needed) and removes older ones', () => {
    const chunks = path.join(out, 'cli', 'chunks');
    const listed = JSON.parse(readFileSync(path.join(chunks, 'build-chunks.json'), 'utf8')) as string[];
    expect(listed.some((name) => /^axios-\w+\.js$/.test(name))).toBe(true);
    expect([...listed].sort()).toEqual(readdirSync(chunks).filter((name) => name !== 'build-chunks.json').sort());
    // As if the build in place were another one: PREV is of the build a kiosk may still run, OLDER of the one before.
    writeFileSync(path.join(chunks, 'axios-PREV.js'), 'export default 1;\n');
    writeFileSync(path.join(chunks, 'axios-OLDER.js'), 'export default 0;\n');
    writeFileSync(path.join(chunks, 'build-chunks.json'), JSON.stringify([...listed, 'axios-PREV.js']));
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', out], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(existsSync(path.join(chunks, 'axios-PREV.js'))).toBe(true);
    expect(existsSync(path.join(chunks, 'axios-OLDER.js'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(chunks, 'build-chunks.json'), 'utf8'))).toEqual(listed);
    expect(built(['verify', '079090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021']).status).toBe(0);
  }, 180_000);

  it('writes the Electron main process and its preload', () => {
    expect(existsSync(path.join(out, 'src', 'electron', 'main.js'))).toBe(true);
    expect(readFileSync(path.join(out, 'src', 'electron', 'preload.cjs'), 'utf8')).toContain('require("electron")');
  });

  it('is what the bin, the demo script and the Electron app start', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string>; bin: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts.prepare).toContain('build');
    expect(pkg.scripts.demo).toBe('node dist/cli/demo.js');
    expect(pkg.main).toBe('dist/src/electron/main.js');
    expect(readFileSync(path.join(REPO_ROOT, pkg.bin['checkpoint-kiosk']!), 'utf8')).toContain("import('../dist/cli/entry.js')");
    expect(pkg.dependencies.tsx).toBeUndefined();
  });
});
