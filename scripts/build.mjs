// Builds the JavaScript that users run (`npm ci` runs it through `prepare`):
//
//   dist/cli/         the `checkpoint-kiosk` command (entry.js), the stand-alone central server
//                     (central.js) and `npm run demo` (demo.js): one ESM bundle with shared chunks,
//                     so a cold `verify` loads a handful of files instead of hundreds of modules
//   dist/cli/assets/  the central server's stylesheets and the operations room's page script
//   dist/src/electron/main.js, preload.cjs   the Electron main process and its preload
//
// Pure-JavaScript dependencies are bundled; native modules (better-sqlite3, serialport, node-hid),
// electron, pg and zxing-wasm (loads its .wasm from its own package) stay in node_modules.
// Usage: node scripts/build.mjs [--outdir DIR]   (DIR must lie inside the repository so that
// node_modules resolves from it; tests build into a temporary folder there).
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, transform } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' } }, strict: true });
const OUT = path.resolve(ROOT, values.outdir ?? 'dist');

/** Kept out of the bundles: native add-ons, Electron, and packages that load files of their own. */
const EXTERNAL = ['better-sqlite3', 'serialport', '@serialport/bindings-cpp', 'node-hid', 'electron', 'electron-updater', 'pg', 'pg-native', 'zxing-wasm', 'bufferutil', 'utf-8-validate'];

/** Bundled CommonJS dependencies call require(); ESM output needs a real one. */
const REQUIRE_SHIM = "import { createRequire as __ckCreateRequire } from 'node:module'; const require = __ckCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

// dist/cli is rebuilt, except the chunks of the previous build: a kiosk started from it and still
// running loads some of them only when first needed (the HTTP client at its first request), and
// would find them gone after an upgrade in place. The chunks of the build before that, and older,
// are removed (a kiosk still running from those says to restart it: src/shared/program-changed.ts).
const CLI_OUT = path.join(OUT, 'cli');
const CHUNKS = path.join(CLI_OUT, 'chunks');
const CHUNK_LIST = 'build-chunks.json';
const oldChunks = existsSync(CHUNKS) ? readdirSync(CHUNKS).filter((name) => name !== CHUNK_LIST) : [];
let previousBuild = oldChunks; // no list yet (a build before this rule): keep what is there once
try {
  previousBuild = JSON.parse(readFileSync(path.join(CHUNKS, CHUNK_LIST), 'utf8'));
} catch {
  // none or unreadable: as above
}
for (const name of existsSync(CLI_OUT) ? readdirSync(CLI_OUT) : []) {
  if (name !== 'chunks') rmSync(path.join(CLI_OUT, name), { recursive: true, force: true });
}
const cliBuild = await build({
  metafile: true,
  ...common,
  // decode-worker: the camera scanner's QR decode worker thread, started from its own file.
  entryPoints: { entry: 'src/cli/entry.ts', central: 'server/main.ts', demo: 'scripts/demo.ts', 'decode-worker': 'drivers/camera/decode-worker.ts' },
  outdir: path.join(OUT, 'cli'),
  absWorkingDir: ROOT,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: REQUIRE_SHIM },
});
const thisBuild = Object.keys(cliBuild.metafile.outputs)
  .map((file) => path.resolve(ROOT, file))
  .filter((file) => path.dirname(file) === CHUNKS)
  .map((file) => path.basename(file));
const keep = new Set([...thisBuild, ...previousBuild]);
for (const name of oldChunks) if (!keep.has(name)) rmSync(path.join(CHUNKS, name), { force: true });
writeFileSync(path.join(CHUNKS, CHUNK_LIST), `${JSON.stringify(thisBuild)}\n`);
// The central server's own static files (server/ops/assets.ts reads them from dist/cli/assets):
// its stylesheets, and the operations room's page script compiled once here.
const ASSETS_OUT = path.join(OUT, 'cli', 'assets');
mkdirSync(ASSETS_OUT, { recursive: true });
copyFileSync(path.join(ROOT, 'server/ops/ops.css'), path.join(ASSETS_OUT, 'ops.css'));
copyFileSync(path.join(ROOT, 'server/declare/declare.css'), path.join(ASSETS_OUT, 'declare.css'));
const dashboard = await transform(readFileSync(path.join(ROOT, 'server/ops/client/dashboard.ts'), 'utf8'), { loader: 'ts', format: 'iife', target: 'es2020', minify: false });
writeFileSync(path.join(ASSETS_OUT, 'dashboard.js'), dashboard.code);
await build({
  ...common,
  entryPoints: ['src/electron/main.ts'],
  outfile: path.join(OUT, 'src', 'electron', 'main.js'),
  absWorkingDir: ROOT,
  format: 'esm',
  banner: { js: REQUIRE_SHIM },
});
await build({
  ...common,
  entryPoints: ['src/electron/preload-entry.ts'],
  outfile: path.join(OUT, 'src', 'electron', 'preload.cjs'),
  absWorkingDir: ROOT,
  format: 'cjs',
});
// The camera decode worker next to the Electron main bundle (qr-decoder.ts looks for it there).
await build({
  ...common,
  entryPoints: ['drivers/camera/decode-worker.ts'],
  outfile: path.join(OUT, 'src', 'electron', 'decode-worker.js'),
  absWorkingDir: ROOT,
  format: 'esm',
  banner: { js: REQUIRE_SHIM },
});
