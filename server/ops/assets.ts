/**
 * Static files of the operations room and the declaration form, served by the central server itself (no CDN): uPlot's
 * JS and CSS from node_modules, our stylesheet, and the page script compiled from
 * client/dashboard.ts with esbuild once per process (esbuild is always installed: tsx, which runs
 * the server, depends on it). Only the names listed here exist.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

interface Asset {
  type: string;
  load(): Promise<string>;
}

const ASSETS: Record<string, Asset> = {
  'uplot.iife.min.js': { type: 'text/javascript; charset=utf-8', load: async () => fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8') },
  'uplot.min.css': { type: 'text/css; charset=utf-8', load: async () => fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8') },
  'ops.css': { type: 'text/css; charset=utf-8', load: async () => fs.readFileSync(path.join(here, 'ops.css'), 'utf8') },
  'declare.css': { type: 'text/css; charset=utf-8', load: async () => fs.readFileSync(path.join(here, '..', 'declare', 'declare.css'), 'utf8') },
  'dashboard.js': {
    type: 'text/javascript; charset=utf-8',
    async load() {
      const { transform } = await import('esbuild');
      const source = fs.readFileSync(path.join(here, 'client', 'dashboard.ts'), 'utf8');
      const out = await transform(source, { loader: 'ts', format: 'iife', target: 'es2020', minify: false });
      return out.code;
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
