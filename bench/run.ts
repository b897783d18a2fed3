/**
 * `npm run bench`: runs every benchmark (or those named on the command line), prints one table
 * and writes bench/results/latest.json. Never part of `npm test`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, type Row } from './lib.js';

type Bench = () => Promise<Row[]>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  pipeline: async () => (await import('./pipeline.bench.js')).run,
  verify: async () => (await import('./verify.bench.js')).run,
  drain: async () => (await import('./drain.bench.js')).run,
  memory: async () => (await import('./memory.bench.js')).run,
  ui: async () => (await import('./ui.bench.js')).run,
  'pg-ingest': async () => (await import('./pg-ingest.bench.js')).run,
  fleet: async () => (await import('./fleet.bench.js')).run,
  'pg-trace': async () => (await import('./pg-trace.bench.js')).run,
};

const selected = process.argv.slice(2);
const names = selected.length > 0 ? selected : Object.keys(BENCHES);
const rows: Row[] = [];
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    console.error(`unknown benchmark "${name}" (known: ${Object.keys(BENCHES).join(', ')})`);
    process.exit(2);
  }
  console.error(`running ${name}…`);
  rows.push(...(await (await load())()));
}
printTable(rows);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
console.error(`wrote ${join(out, 'latest.json')}`);
