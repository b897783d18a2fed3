/**
 * `checkpoint-kiosk run` (DESIGN §7, contract). stdout carries JSON lines only:
 * {"event":"ready"} once scanners are open, one {"event":"checkin",...} per scan printed only
 * after the check-in is committed, {"event":"duplicate","of"} for a repeat within the window.
 * Extensions: {"event":"scanner",...} on scanner state changes and {"event":"error",...} when a
 * scan could not be recorded. Logs go to stderr. SIGTERM/SIGINT stop gracefully.
 */
import type { Direction } from '../../shared/types.js';
import { readFileSync } from 'node:fs';
import { buildKiosk } from '../../app/build.js';
import { linkToCentral } from '../../app/central-link.js';
import { parseScannerUri, ScannerUriError } from '../../../drivers/uri.js';
import { jsonLogger, systemClock, systemTimers } from '../../core/system.js';
import { oneOf, parseCommand, portNumber, requireOption, UsageError } from '../usage.js';

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand('run', argv, {
    'data-dir': { type: 'string' },
    scanner: { type: 'string', multiple: true },
    server: { type: 'string' },
    enroll: { type: 'string' },
    trust: { type: 'string' },
    policy: { type: 'string' },
    checkpoint: { type: 'string' },
    direction: { type: 'string' },
    ui: { type: 'string' },
    port: { type: 'string' },
    ca: { type: 'string' },
  });
  const dataDir = requireOption('run', values['data-dir'], 'data-dir');
  const scanners = values.scanner ?? [];
  if (scanners.length === 0) throw new UsageError('run: missing required option --scanner (e.g. --scanner serial:/dev/ttyACM0)');
  for (const uri of scanners) {
    try {
      parseScannerUri(uri);
    } catch (err) {
      if (err instanceof ScannerUriError) throw new UsageError(`run: --scanner ${err.message}`);
      throw err;
    }
  }
  const direction = oneOf<Direction>('run', 'direction', values.direction, ['in', 'out'], 'in');
  const ui = oneOf('run', 'ui', values.ui, ['none', 'web'], 'none');
  portNumber('run', 'port', values.port, 0);
  if (values.enroll !== undefined && values.server === undefined) throw new UsageError('run: --enroll needs --server URL');
  if (values.checkpoint !== undefined && !/^[\w.:-]{1,64}$/.test(values.checkpoint)) {
    throw new UsageError(`run: --checkpoint must be 1-64 letters, digits or . _ : -, got "${values.checkpoint}"`);
  }
  if (ui === 'web') throw new UsageError('run: --ui web is not available in this build yet');
  if (values.server !== undefined && !/^https?:\/\/[^\s]+$/.test(values.server)) {
    throw new UsageError(`run: --server must be an http:// or https:// URL, got "${values.server}"`);
  }
  const ca = values.ca === undefined ? undefined : readCa(values.ca);

  const logger = jsonLogger();
  const out = (obj: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  const kiosk = await buildKiosk({
    dataDir,
    scanners,
    ...(values.trust ? { trustFile: values.trust } : {}),
    ...(values.policy ? { policyFile: values.policy } : {}),
    ...(values.checkpoint ? { checkpoint: values.checkpoint } : {}),
    ...(values.direction ? { direction } : {}),
    clock: systemClock,
    timers: systemTimers,
    logger,
  });

  const central = linkToCentral({
    kiosk,
    dataDir,
    ...(values.server ? { serverUrl: values.server } : {}),
    ...(values.enroll ? { enrollCode: values.enroll } : {}),
    ...(ca ? { ca } : {}),
    clock: systemClock,
    timers: systemTimers,
    logger,
    onProblem: (p) => out({ event: 'error', reason: p.reason, message: p.message }),
  });

  kiosk.on('outcome', (o) => {
    if (o.kind === 'duplicate') out({ event: 'duplicate', of: o.of });
    else out({ event: 'checkin', id: o.checkIn.id, format: o.checkIn.format, verdict: o.checkIn.verdict, reasons: o.checkIn.reasons, scannedAt: o.checkIn.scannedAt });
  });
  kiosk.on('fault', (f) => out({ event: 'error', reason: 'storage', message: f.message }));
  kiosk.on('scanner', (s) => out({ event: 'scanner', deviceId: s.deviceId, state: s.state, ...(s.lastError ? { error: s.lastError } : {}) }));

  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping', { signal });
      central
        .stop()
        .then(() => kiosk.stop())
        .then(resolve, (err: unknown) => {
          logger.error('stop failed', { error: String(err) });
          resolve();
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });

  // Keeps the process alive when no scanner holds a handle (a finished sim: file, a scanner
  // still being retried): a kiosk runs until it is told to stop.
  const keepAlive = setInterval(() => undefined, 60_000);
  await kiosk.start();
  out({ event: 'ready' });
  await stopped;
  clearInterval(keepAlive);
  out({ event: 'stopped' });
  return 0;
}

function readCa(file: string): string {
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (err) {
    throw new UsageError(`run: --ca ${file}: ${(err as Error).message}`);
  }
}
