/**
 * Static files of the operations room and the declaration form, served by the central server
 * itself (no CDN): uPlot's JS and CSS from node_modules, our stylesheets, and the page script.
 * Only the names listed here exist.
 *
 * Two layouts: the built server (dist/cli, bundled by scripts/build.mjs) reads the stylesheets and
 * the compiled page script from dist/cli/assets, which the build writes; run from the sources
 * (tests, `tsx`), they are read next to this file and client/dashboard.ts is compiled with esbuild
 * once per process.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** dist/cli/assets as seen from a bundled entry (dist/cli) or one of its chunks (dist/cli/chunks). */
const BUILT_DIRS = [path.join(here, 'assets'), path.join(here, '..', 'assets')];

/** The built copy of `name`, when this module runs from the bundle. */
function built(name: string): string | undefined {
  for (const dir of BUILT_DIRS) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  return undefined;
}

/** A stylesheet: the built copy, else the source file at `sourcePath` (relative to this folder). */
const stylesheet = (name: string, ...sourcePath: string[]) => async () => built(name) ?? fs.readFileSync(path.join(here, ...sourcePath), 'utf8');

interface Asset {
  type: string;
  load(): Promise<string>;
}

/** The page script from client/dashboard.ts (scripts/build.mjs uses the same options). */
const DASHBOARD_TRANSFORM = { loader: 'ts', format: 'iife', target: 'es2020', minify: false } as const;

const ASSETS: Record<string, Asset> = {
  'uplot.iife.min.js': { type: 'text/javascript; charset=utf-8', load: async () => fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8') },
  'uplot.min.css': { type: 'text/css; charset=utf-8', load: async () => fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8') },
  'ops.css': { type: 'text/css; charset=utf-8', load: stylesheet('ops.css', 'ops.css') },
  'declare.css': { type: 'text/css; charset=utf-8', load: stylesheet('declare.css', '..', 'declare', 'declare.css') },
  'dashboard.js': {
    type: 'text/javascript; charset=utf-8',
    async load() {
      const ready = built('dashboard.js');
      if (ready !== undefined) return ready;
      const { transform } = await import('esbuild');
      const source = fs.readFileSync(path.join(here, 'client', 'dashboard.ts'), 'utf8');
      return (await transform(source, DASHBOARD_TRANSFORM)).code;
    },
  },
};

const cache = new Map<string, Promise<string>>();

/** The asset's content type and text, or undefined for a name that is not an asset. */
export async function loadAsset(name: string): Promise<{ type: string; body: string } | undefined> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = asset.load();
    cache.set(name, body);
    body.catch(() => cache.delete(name));
  }
  return { type: asset.type, body: await body };
}
