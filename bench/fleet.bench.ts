/**
 * The fleet simulator as a benchmark: 1,000 simulated kiosks at 1 check-in/s each (Poisson) against
 * a central node (its own process) on a real PostgreSQL cluster. Floors from the same run: the
 * offered load (kiosks × rate) for the ingest rate, and the ack latency of a single kiosk alone
 * against the same node for p50/p99.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runFleet } from '../scripts/fleet-sim.js';
import { openPostgresStorage } from '../server/storage/postgres-storage.js';
import { startPgCluster } from '../test/helpers/postgres.js';
import type { Row } from './lib.js';

const KIOSKS = Number(process.env.BENCH_FLEET_KIOSKS ?? 1000);
const RATE = Number(process.env.BENCH_FLEET_RATE ?? 1);
const MINUTES = Number(process.env.BENCH_FLEET_MINUTES ?? 1);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function run(): Promise<Row[]> {
  const cluster = await startPgCluster();
  const database = await cluster.createDatabase();
  const node = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts'), '--database', database, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      node.once('exit', (code) => reject(new Error(`central node exited with ${code}`)));
      readline.createInterface({ input: node.stdout as NodeJS.ReadableStream }).on('line', (l) => {
        const ev = JSON.parse(l) as { event?: string; url?: string };
        if (ev.event === 'listening' && ev.url) resolve(ev.url);
      });
    });
    const storage = await openPostgresStorage(database);
    const adminToken = ((await storage.readSecret('admin-token')) as string).trim();
    await storage.close();
    const alone = await runFleet({ kiosks: 1, ratePerKiosk: 5, minutes: 0.25, servers: [url], adminToken });
    const fleet = await runFleet({
      kiosks: KIOSKS,
      ratePerKiosk: RATE,
      minutes: MINUTES,
      servers: [url],
      adminToken,
      onProgress: (p) => console.error(`fleet: ${p.seconds}s sent ${p.sent} acked ${p.acked} pending ${p.pending}`),
    });
    const offered = KIOSKS * RATE;
    const label = `${KIOSKS} kiosks × ${RATE}/s, ${MINUTES} min`;
    const lost = fleet.verified.missing + fleet.verified.duplicated + (fleet.sent - fleet.verified.stored - fleet.verified.missing - fleet.verified.duplicated);
    return [
      { bench: 'fleet', metric: `ingest (${label})`, value: fleet.ingestPerSecond, unit: '1/s', floor: offered, ratio: fleet.ingestPerSecond / offered, ratioMeaning: 'acknowledged / offered load' },
      { bench: 'fleet', metric: `ack latency p50 (${label})`, value: fleet.ackLatencyMs.p50, unit: 'ms', floor: alone.ackLatencyMs.p50, ratio: fleet.ackLatencyMs.p50 / Math.max(1, alone.ackLatencyMs.p50), ratioMeaning: '× one kiosk alone (lower is better)' },
      { bench: 'fleet', metric: `ack latency p99 (${label})`, value: fleet.ackLatencyMs.p99, unit: 'ms', floor: alone.ackLatencyMs.p99, ratio: fleet.ackLatencyMs.p99 / Math.max(1, alone.ackLatencyMs.p99), ratioMeaning: '× one kiosk alone (lower is better)' },
      { bench: 'fleet', metric: `request errors (${label})`, value: fleet.errors, unit: 'count' },
      { bench: 'fleet', metric: `census: sent ${fleet.sent}, lost or duplicated`, value: lost, unit: 'count', floor: 0, ratioMeaning: 'must be 0' },
    ];
  } finally {
    node.kill('SIGTERM');
    await new Promise((r) => (node.exitCode !== null ? r(undefined) : node.once('exit', r)));
    await cluster.stop();
  }
}
