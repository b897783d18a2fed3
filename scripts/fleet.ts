/**
 * `npm run fleet -- --kiosks N --rate R --minutes M --server URL [--server URL …] --admin-token T
 *  [--heartbeat-seconds S] [--json]`
 *
 * Runs the fleet simulator (scripts/fleet-sim.ts) against central server nodes on this machine
 * and prints: ingest check-ins/s, ack latency p50/p99, errors, and the census (every sent id stored
 * exactly once). Exit code 0 when nothing was lost or duplicated, 1 otherwise, 2 on a usage error.
 * The admin token comes from `checkpoint-kiosk central admin-token (--data-dir DIR | --database URL)`.
 */
import { parseArgs } from 'node:util';
import { FLEET_LIMITS, checkFleetOptions, runFleet } from './fleet-sim.js';
import type { FleetOptions } from './fleet-sim.js';

function usage(message: string): never {
  process.stderr.write(
    `fleet: ${message}\nusage: npm run fleet -- --kiosks N --rate R --minutes M --server URL [--server URL …] --admin-token TOKEN [--heartbeat-seconds S] [--json]\n` +
      `limits: kiosks ≤ ${FLEET_LIMITS.maxKiosks}, rate ≤ ${FLEET_LIMITS.maxRatePerKiosk}/s per kiosk, minutes ≤ ${FLEET_LIMITS.maxMinutes}, total ≤ ${FLEET_LIMITS.maxTotalCheckIns} check-ins; loopback servers only\n`,
  );
  process.exit(2);
}

let values: Record<string, string | string[] | boolean | undefined>;
try {
  values = parseArgs({
    args: process.argv.slice(2),
    options: {
      kiosks: { type: 'string' },
      rate: { type: 'string' },
      minutes: { type: 'string' },
      server: { type: 'string', multiple: true },
      'admin-token': { type: 'string' },
      'heartbeat-seconds': { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (err) {
  usage((err as Error).message);
}
const num = (name: string): number => {
  const v = values[name];
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v)) usage(`--${name} is required (a number)`);
  return Number(v);
};
const opts: FleetOptions = {
  kiosks: num('kiosks'),
  ratePerKiosk: num('rate'),
  minutes: num('minutes'),
  servers: (values.server as string[] | undefined) ?? [],
  adminToken: typeof values['admin-token'] === 'string' ? values['admin-token'] : (process.env.CHECKPOINT_KIOSK_ADMIN_TOKEN ?? ''),
  ...(values['heartbeat-seconds'] !== undefined ? { heartbeatSeconds: num('heartbeat-seconds') } : {}),
  onProgress: (p) => process.stderr.write(`fleet: ${p.seconds}s sent ${p.sent} acked ${p.acked} pending ${p.pending}\n`),
};
try {
  checkFleetOptions(opts);
} catch (err) {
  usage((err as Error).message);
}
try {
  const r = await runFleet(opts);
  if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    process.stdout.write(
      [
        `kiosks ${r.kiosks} on ${r.servers.join(', ')}`,
        `sent ${r.sent}, acknowledged ${r.acked}, rejected ${r.rejected} in ${r.seconds} s`,
        `ingest ${r.ingestPerSecond} check-ins/s; ack latency p50 ${r.ackLatencyMs.p50} ms, p99 ${r.ackLatencyMs.p99} ms, max ${r.ackLatencyMs.max} ms`,
        `errors ${r.errors}; heartbeats ${r.heartbeats}`,
        `census: ${r.verified.stored} stored once, ${r.verified.missing} missing, ${r.verified.duplicated} duplicated`,
      ].join('\n') + '\n',
    );
  }
  process.exitCode = r.verified.missing === 0 && r.verified.duplicated === 0 && r.verified.stored === r.sent ? 0 : 1;
} catch (err) {
  process.stderr.write(`fleet: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
