/**
 * `npm run bench`: runs every benchmark (or those named on the command line), prints one table
 * and writes bench/results/latest.json with the machine's core count, CPU model, load and Node
 * version. Never part of `npm test`.
 *
 * A benchmark that throws does not stop the run: its error becomes a row (metric "error") and the
 * others still report. To add rows (camera, PostgreSQL, encryption, …): write
 * bench/NAME.bench.ts exporting `run(): Promise<Row[]>` (each figure with its floor, measured in
 * the same run) and add one line to BENCHES below.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, type Row } from './lib.js';

type Bench = () => Promise<Row[]>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  pipeline: async () => (await import('./pipeline.bench.js')).run,
  verify: async () => (await import('./verify.bench.js')).run,
  coldstart: async () => (await import('./coldstart.bench.js')).run,
  drain: async () => (await import('./drain.bench.js')).run,
  memory: async () => (await import('./memory.bench.js')).run,
  ui: async () => (await import('./ui.bench.js')).run,
  camera: async () => (await import('./camera.bench.js')).run,
  ops: async () => (await import('./ops.bench.js')).run,
  'pg-ingest': async () => (await import('./pg-ingest.bench.js')).run,
  fleet: async () => (await import('./fleet.bench.js')).run,
  'pg-trace': async () => (await import('./pg-trace.bench.js')).run,
  privacy: async () => (await import('./privacy.bench.js')).run,
};

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !BENCHES[name]);
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  process.exit(2);
}
const names = selected.length > 0 ? selected : Object.keys(BENCHES);
const started = new Date().toISOString();
const load0 = os.loadavg();
const rows: Row[] = [];
for (const name of names) {
  console.error(`running ${name}…`);
  try {
    rows.push(...(await (await BENCHES[name]!())()));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
    rows.push({ bench: name, metric: 'error', value: NaN, unit: '', error: message.split('\n')[0]!.slice(0, 300) });
  }
}
printTable(rows);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(out, { recursive: true });
const machine = { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', memoryMiB: Math.round(os.totalmem() / 2 ** 20), platform: `${os.platform()} ${os.release()}`, loadAverageAtStart: load0, loadAverageAtEnd: os.loadavg() };
writeFileSync(join(out, 'latest.json'), `${JSON.stringify({ at: started, node: process.version, machine, benches: names, rows }, null, 2)}\n`);
console.error(`wrote ${join(out, 'latest.json')}`);
if (rows.some((r) => r.metric === 'error')) process.exitCode = 1;
