/**
 * `checkpoint-kiosk run` (README.md, contract). stdout carries JSON lines only:
 * {"event":"ready"} once scanners are open, one {"event":"checkin",...} per scan printed only
 * after the check-in is committed, {"event":"duplicate","of","verdict","reasons"} for a re-read of
 * the same credential within the window that got the same verdict (verdict and reasons are those
 * committed with check-in `of`),
 * and with --ui web {"event":"ui","url"} (token included). Extensions: {"event":"scanner",...}
 * on scanner state changes, {"event":"error",...} for a scan that could not be recorded or a
 * problem with the central server, and {"event":"chunk","index","total","missing"} for a chunk of
 * a multi-QR SMART Health Card held until the others are scanned (nothing recorded yet). Logs go to stderr. SIGTERM/SIGINT stop gracefully.
 *
 * Screens and access: `--profile venue|booth` (remembered in the data dir), `--time-zone NAME`,
 * `--set-pin` (reads the technician PIN from stdin, stores it and exits: {"event":"pin-set"}),
 * CHECKPOINT_KIOSK_PIN_FILE (a 0600 file holding the PIN, applied at every start), and in web
 * mode a URL token kept in <data-dir>/web-token (`--rotate-web-token` replaces it). A `--port`
 * that is taken ends the run with exit code 1 and a message naming the port.
 */
import { EXIT } from '../exit-codes.js';
import { realpathSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { PROFILES, type Profile } from '../../shared/api.js';
import { openStore } from '../../store/index.js';
import { lockDataDir } from '../../app/data-dir-lock.js';
import { DataDirError, prepareDataDir } from '../../app/data-dir.js';
import { PANEL_PIN_STANDS, PIN_FILE_ENV, PinInputError, applyPin, applyPinFile, parsePin, readPinFile, refuseWeakPin } from '../../app/access/provision-pin.js';
import { SETUP_CODE_FILE } from '../../app/access/setup-code.js';
import { isTimeZone } from '../../app/ui-settings.js';
import { loadWebToken, newWebToken, saveWebToken } from '../../web/token-file.js';
import type { CheckInEvent, Direction } from '../../shared/types.js';
import { buildKiosk } from '../../app/build.js';
import { linkToCentral } from '../../app/central-link.js';
import { createKioskApi } from '../../app/api.js';
import { logRing } from '../../app/log-ring.js';
import type { WebUi } from '../../web/server.js';
import { parseScannerUri, ScannerUriError, type ScannerUri } from '../../../drivers/uri.js';
import { scannerStartProblem } from '../../../drivers/start-check.js';
import { redactCredentials } from '../../shared/redact-credentials.js';
import { OutputUriError, parseOutputUri } from '../../../drivers/outputs/output-uri.js';
import { jsonLogger, systemClock, systemTimers } from '../../core/system.js';
import { TrustBundleError } from '../../credentials/trust/errors.js';
import { PolicyError } from '../../core/policy-file.js';
import { readCaFile } from './read-ca.js';
import { userInfoProblem } from '../../shared/server-url.js';
import { checkEach, oneOf, parseCommand, portNumber, requireOption, UsageError } from '../usage.js';
import { tuneHeapForKiosk } from '../kiosk-heap.js';
import { onParentGone } from '../parent-watch.js';
import { latchStopSignals, onStopSignal, releaseStopSignals } from '../stop-signals.js';
import { listenProblem, probeListen } from '../listen-probe.js';

/** Where web mode serves the screens (never another address: the token is the only lock). */
const WEB_HOST = '127.0.0.1';

/** The drain's reason when the time ran out with the forwarder still at work: says nothing at a stop by signal. */
const NOT_IN_TIME = 'the server did not take them in time';

/** Why a finite headless run stops by itself. */
const END_OF_INPUT = 'end of input';
/** --drain-seconds: default and bound of the delivery attempt at the end of input (s). */
const DEFAULT_DRAIN_SECONDS = 10;
const MAX_DRAIN_SECONDS = 600;

export async function runCommand(argv: string[]): Promise<number> {
  // Caught from here on (entry.ts already does for the command line): see stop-signals.ts.
  latchStopSignals();
  const { values } = parseCommand('run', argv, {
    'data-dir': { type: 'string' },
    scanner: { type: 'string', multiple: true },
    server: { type: 'string', multiple: true },
    enroll: { type: 'string' },
    trust: { type: 'string' },
    policy: { type: 'string' },
    checkpoint: { type: 'string' },
    direction: { type: 'string' },
    ui: { type: 'string' },
    port: { type: 'string' },
    ca: { type: 'string' },
    relay: { type: 'string', multiple: true },
    beeper: { type: 'boolean' },
    'heartbeat-seconds': { type: 'string' },
    profile: { type: 'string' },
    'time-zone': { type: 'string' },
    'set-pin': { type: 'boolean' },
    'rotate-web-token': { type: 'boolean' },
    'sync-seconds': { type: 'string' },
    'drain-seconds': { type: 'string' },
  });
  const dataDir = requireOption('run', values['data-dir'], 'data-dir');
  if (values['set-pin']) {
    // No kiosk to stop gracefully: a signal ends it the default way.
    releaseStopSignals();
    return setPinCommand(dataDir, values);
  }
  const profile = values.profile === undefined ? undefined : oneOf<Profile>('run', 'profile', values.profile, PROFILES, 'venue');
  const timeZone = values['time-zone'];
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new UsageError(`run: --time-zone must be an IANA time zone such as Asia/Ho_Chi_Minh, got "${timeZone}"`);
  const pinFile = process.env[PIN_FILE_ENV];
  let filePin: string | undefined;
  try {
    filePin = pinFile ? readPinFile(pinFile) : undefined;
  } catch (err) {
    if (err instanceof PinInputError) throw new UsageError(`run: ${err.message}`);
    throw err;
  }
  const ui = oneOf('run', 'ui', values.ui, ['none', 'web'], 'none');
  const scanners = values.scanner ?? [];
  // In web mode a keyboard-wedge scanner typing into the window is a scanner too.
  if (scanners.length === 0 && ui === 'none') throw new UsageError('run: missing required option --scanner (e.g. --scanner serial:/dev/ttyACM0)');
  checkEach('run', 'scanner', scanners, parseScannerUri, ScannerUriError);
  const parsedScanners = scanners.map(parseScannerUri);
  refuseRepeatedScanners(scanners, parsedScanners);
  // A file source that can never work is refused now; a device not plugged in yet is waited for.
  parsedScanners.forEach((parsed, i) => {
    const problem = scannerStartProblem(parsed);
    if (problem) throw new UsageError(`run: --scanner ${redactCredentials(scanners[i]!)}: ${problem}`);
  });
  const outputs = [...(values.relay ?? []), ...(values.beeper ? ['beeper'] : [])];
  checkEach('run', 'relay', outputs, parseOutputUri, OutputUriError);
  const direction = oneOf<Direction>('run', 'direction', values.direction, ['in', 'out'], 'in');
  const port = portNumber('run', 'port', values.port, 0);
  if (values.port !== undefined && ui !== 'web') throw new UsageError('run: --port is only used with --ui web');
  if (values['rotate-web-token'] && ui !== 'web') throw new UsageError('run: --rotate-web-token is only used with --ui web');
  if (values.enroll !== undefined && values.server === undefined) throw new UsageError('run: --enroll needs --server URL');
  if (values.checkpoint !== undefined && !/^[\w.:-]{1,64}$/.test(values.checkpoint)) {
    throw new UsageError(`run: --checkpoint must be 1-64 letters, digits or . _ : -, got "${values.checkpoint}"`);
  }
  // Several --server: nodes of one central server sharing one database (failover in order).
  const servers = values.server ?? [];
  if (servers.length > 16) throw new UsageError('run: at most 16 --server URLs');
  for (const server of servers) {
    // Before the format check: that one quotes the value, and this one must not show the password.
    // (each URL of a comma-separated list)
    const userInfo = server.split(',').map((part) => userInfoProblem(part.trim())).find((problem) => problem !== undefined);
    if (userInfo) throw new UsageError(`run: --server: ${userInfo}`);
    if (!/^https?:\/\/[^\s]+$/.test(server)) throw new UsageError(`run: --server must be an http:// or https:// URL, got "${redactCredentials(server)}"`);
  }
  const heartbeatSeconds = values['heartbeat-seconds'];
  if (heartbeatSeconds !== undefined && (!/^\d{1,5}$/.test(heartbeatSeconds) || Number(heartbeatSeconds) < 5 || Number(heartbeatSeconds) > 86_400)) {
    throw new UsageError(`run: --heartbeat-seconds must be a whole number from 5 to 86400, got "${heartbeatSeconds}"`);
  }
  const syncSeconds = values['sync-seconds'];
  if (syncSeconds !== undefined && (!/^\d{1,5}$/.test(syncSeconds) || Number(syncSeconds) < 5 || Number(syncSeconds) > 86_400)) {
    throw new UsageError(`run: --sync-seconds must be a whole number from 5 to 86400, got "${syncSeconds}"`);
  }
  // Headless with only finite sources (stdin; sim: or a camera: video file, without loop): when
  // every one has ended, the run is over — `… | checkpoint-kiosk run --scanner stdin` exits 0 after the last
  // check-in is committed, instead of waiting for a signal that a script never sends.
  const finite =
    ui === 'none' &&
    scanners.length > 0 &&
    parsedScanners.every((u) => u.kind === 'stdin' || ((u.kind === 'sim' || (u.kind === 'camera' && u.source === 'file')) && !u.loop));
  // Headless with only sources that can end for good (stdin, a scan file, a video file, looping
  // or not): a looping one ends only when it cannot be read any more (its file deleted), and no
  // source comes back by itself, so a run whose every source has ended exits 1 (README) instead of
  // running on with no scanner. A camera device or stream is retried, never ended: not counted.
  const endable =
    ui === 'none' &&
    scanners.length > 0 &&
    parsedScanners.every((u) => u.kind === 'stdin' || u.kind === 'sim' || (u.kind === 'camera' && u.source === 'file'));
  const drainText = values['drain-seconds'];
  if (drainText !== undefined && (!/^\d{1,3}$/.test(drainText) || Number(drainText) > MAX_DRAIN_SECONDS)) {
    throw new UsageError(`run: --drain-seconds must be a whole number from 0 to ${MAX_DRAIN_SECONDS}, got "${drainText}"`);
  }
  if (drainText !== undefined && !finite) throw new UsageError('run: --drain-seconds is only used by a headless run whose scanners all end (stdin, sim:FILE or camera:FILE without loop)');
  const drainMs = (drainText === undefined ? DEFAULT_DRAIN_SECONDS : Number(drainText)) * 1000;
  const ca = values.ca === undefined ? undefined : readCaFile(values.ca);
  // The web server (ws included) is loaded only with --ui web: a headless kiosk never holds it.
  const webServer = ui === 'web' ? await import('../../web/server.js') : undefined;
  const rendererDir = webServer?.defaultRendererDir();
  if (ui === 'web' && !rendererDir) throw new UsageError('run: --ui web needs the built screens: run `npm run build:renderer` first');
  // A --port that is taken ends the run before the data dir is made or touched. Checked again
  // (and reported the same way) when the screens are served: something may take it meanwhile.
  // The screens listen on 127.0.0.1 only; a port that cannot be had ends the run at once (exit 1).
  if (ui === 'web' && port !== 0) await probeListen(WEB_HOST, port);

  // A long-running kiosk with a small live heap: V8 collects for size, not throughput (kiosk-heap.ts).
  tuneHeapForKiosk();
  const ring = logRing(jsonLogger(), systemClock);
  const logger = ring.logger;
  const out = (obj: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  const kiosk = await buildKiosk({
    dataDir,
    scanners,
    outputs,
    ...(values.trust ? { trustFile: values.trust } : {}),
    ...(values.policy ? { policyFile: values.policy } : {}),
    ...(values.checkpoint ? { checkpoint: values.checkpoint } : {}),
    ...(values.direction ? { direction } : {}),
    ...(profile ? { profile } : {}),
    ...(timeZone ? { timeZone } : {}),
    clock: systemClock,
    timers: systemTimers,
    logger,
  }).catch((err: unknown) => {
    // A bad trust bundle or policy file (unknown key, wrong value) is the user's to fix: exit 2.
    if (err instanceof TrustBundleError) throw new UsageError(`run: --trust ${err.message}`);
    if (err instanceof PolicyError) throw new UsageError(`run: --policy ${err.message}`);
    // A --data-dir that is a file, not writable, …: the command line must change (exit 2).
    if (err instanceof DataDirError) throw new UsageError(`run: --data-dir ${err.message}`);
    throw err;
  });
  if (filePin !== undefined) {
    let applied: Awaited<ReturnType<typeof applyPinFile>>;
    try {
      applied = await applyPinFile(kiosk.store, filePin, dataDir, new Date(systemClock.now()).toISOString());
    } catch (err) {
      // A PIN file whose new PIN is too easy to guess: the installer must change it (exit 2).
      if (!(err instanceof PinInputError)) throw err;
      await kiosk.stop();
      throw new UsageError(err.message);
    }
    if (applied === 'applied') logger.info('technician PIN set from the PIN file');
    if (applied === 'panel-pin-stands') logger.info(PANEL_PIN_STANDS);
  }
  const webToken = ui === 'web' ? loadWebToken(dataDir, values['rotate-web-token'] === true) : undefined;
  const central = linkToCentral({
    kiosk,
    dataDir,
    ...(servers.length ? { serverUrl: servers } : {}),
    ...(values.enroll ? { enrollCode: values.enroll } : {}),
    ...(ca ? { ca } : {}),
    ...(heartbeatSeconds ? { heartbeatMs: Number(heartbeatSeconds) * 1000 } : {}),
    ...(syncSeconds ? { trustSyncMs: Number(syncSeconds) * 1000, configSyncMs: Number(syncSeconds) * 1000 } : {}),
    onConfigApplied: (version) => out({ event: 'config-applied', version }),
    clock: systemClock,
    timers: systemTimers,
    logger,
    onProblem: (p) => out({ event: 'error', reason: p.reason, message: p.message }),
    // An enrollment made by --enroll (its background retries included) or the technician screen;
    // a card's is the `provisioned` event. Never the token or the code.
    onEnrollmentDone: (d) => out({ event: 'enrolled', deviceId: d.deviceId, server: d.server }),
    // Provisioning cards: the event names the server and checkpoint, never the card or its code.
    onProvisioning: (e) => out({ ...e }),
  });

  kiosk.on('outcome', (o) => {
    // A duplicate carries the verdict committed with the check-in it repeats (what the gate did).
    if (o.kind === 'duplicate') out({ event: 'duplicate', of: o.of, verdict: o.verdict.verdict, reasons: o.verdict.reasons });
    else {
      const line: CheckInEvent = { event: 'checkin', id: o.checkIn.id, format: o.checkIn.format, verdict: o.checkIn.verdict, reasons: o.checkIn.reasons, scannedAt: o.checkIn.scannedAt };
      // Why the kiosk refused the scan itself (missing chunks of a multi-QR card …): additive, absent otherwise.
      if (o.message !== undefined) line.message = o.message;
      out({ ...line });
    }
  });
  kiosk.on('fault', (f) => out({ event: 'error', reason: 'storage', message: f.message }));
  // A chunk of a multi-QR SMART Health Card held until the others are scanned (nothing recorded yet).
  // `deviceId`: which scanner holds the chunks (two scanners may each hold part of a card).
  kiosk.on('chunk', (c) => out({ event: 'chunk', deviceId: c.deviceId, index: c.index, total: c.total, missing: c.missing }));
  // `error` is the plain message with its fix; `errorCode` the original errno name (EAGAIN, ENOENT …) for logs and scripts.
  // `fault`/`lineNoise`: a burst of line noise (start, then a summary with the frames dropped).
  // One line per change of state (or of line noise): a scanner being retried reports a new error
  // text at each failed attempt (went away, then does not exist, …), which the technician screen
  // shows, but a script reading these lines wants to hear "disconnected" once, not every retry.
  // Per source (id and URI): two scanners sharing an id must not hide each other's lines.
  const printed = new Map<string, string>();
  kiosk.on('scanner', (s) => {
    const key = JSON.stringify([s.state, s.fault ?? null, s.lineNoise ?? null]);
    const source = `${s.deviceId}\n${s.uri}`;
    if (printed.get(source) === key) return;
    printed.set(source, key);
    out({
      event: 'scanner',
      deviceId: s.deviceId,
      state: s.state,
      ...(s.lastError ? { error: s.lastError } : {}),
      ...(s.lastError && s.lastErrorCode ? { errorCode: s.lastErrorCode } : {}),
      ...(s.fault ? { fault: s.fault } : {}),
      ...(s.lineNoise ? { lineNoise: s.lineNoise } : {}),
    });
  });

  const api =
    ui === 'web'
      ? createKioskApi({
          kiosk,
          clock: systemClock,
          timers: systemTimers,
          logger,
          logs: ring.lines,
          exportDir: join(dataDir, 'exports'),
          delivery: () => central.delivery(),
          clockOffsetMs: () => central.clockOffsetMs(),
          enroll: (serverUrl, code) => central.enroll(serverUrl, code),
          reprovision: (sessionOpen) => central.armReprovision(sessionOpen),
          disarmReprovision: () => central.disarmReprovision(),
          provisioning: () => central.provisioningNotice(),
          policy: () => kiosk.currentPolicy(),
          ...(values.policy ? { policyName: values.policy } : {}),
          pin: { setupCodeFile: join(dataDir, SETUP_CODE_FILE) },
          rotateWebToken: () => {
            const next = saveWebToken(dataDir, newWebToken());
            web.ui?.setToken(next);
            const url = web.ui?.url ?? '';
            // As at the start: whoever opens the kiosk's page (a launcher, a script) reads the new URL here.
            if (url) out({ event: 'ui', url });
            return url;
          },
        })
      : undefined;
  if (api && (await api.techState()).pinSet === false) {
    // Where, not what: the code itself never goes to a log or the screen.
    logger.warn('no technician PIN yet: set one with `run --set-pin`, CHECKPOINT_KIOSK_PIN_FILE, or the setup code in the data dir', { file: SETUP_CODE_FILE });
  }

  /**
   * Waits for the last check-ins, tries to deliver them for `ms` (0: no try — `--drain-seconds 0`,
   * or a stop by signal, which stops at once), and says what is left (README: "what could not be
   * delivered is named"), whatever `ms` is.
   */
  const drainAtEnd = async (ms: number, cause: 'end-of-input' | 'signal') => {
    await kiosk.settle();
    const left = await central.drain(ms);
    if (!left || left.checkins + left.overrides === 0) return;
    const what = [left.checkins ? `${left.checkins} check-in${left.checkins === 1 ? '' : 's'}` : '', left.overrides ? `${left.overrides} override${left.overrides === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
    const message = left.needsEnrollment
      ? `${what} not delivered (${left.reason ?? 'not enrolled'}); they are kept in ${dataDir} and sent once the kiosk is enrolled with a new code (central enroll-code, then run --enroll CODE)`
      : ms === 0
        ? cause === 'end-of-input'
          ? `${what} not delivered (--drain-seconds 0: no delivery attempt at the end of input); they are kept in ${dataDir} and sent at the next start`
          : `${what} not delivered yet at the stop${left.reason && left.reason !== NOT_IN_TIME ? ` (${left.reason})` : ''}; they are kept in ${dataDir} and sent at the next start`
        : `${what} still pending after ${ms / 1000} s (${left.reason ?? 'not delivered'}); they are kept in ${dataDir} and sent at the next start`;
    out({ event: 'pending', checkins: left.checkins, overrides: left.overrides, message });
    process.stderr.write(`checkpoint-kiosk run: ${message}\n`);
  };

  // Filled in once the screens are served; a signal may arrive before that.
  const web: { ui?: WebUi } = {};
  let stopping: Promise<void> | undefined;
  let stopOn: (why: string) => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      // Once, with the first reason: closing the scanners ends a finite run's input too, and a
      // second signal may follow the first; neither is a second stop.
      if (!stopping) logger.info('stopping', { signal });
      // A signal during the end of input's bounded delivery try cuts it short: the try is a
      // courtesy to scripts, and a stop by signal must not wait for it (systemd kills after 20 s).
      else if (signal !== END_OF_INPUT) central.abort();
      stopping ??= (async () => {
        await web.ui?.close();
        api?.close();
        // Chunks of a multi-QR card still held can no longer be completed: recorded (rejected)
        // now, so they are delivered with the rest.
        if (signal === END_OF_INPUT) await kiosk.releaseHeldChunks("the scanner's input ended before the rest came");
        // End of input: every check-in is committed first, then a bounded try to deliver them,
        // so a scripted run does not leave its check-ins for the next start (a signal stops at once).
        // With --drain-seconds 0 there is no try, but what is left is still named; a signal stops
        // at once, and what stays undelivered is named too (a revoked kiosk's check-ins wait for a
        // new enrollment: the operator must hear it before the process ends).
        if (signal === END_OF_INPUT) await drainAtEnd(drainMs, 'end-of-input');
        else {
          // Requests in flight are aborted first: a scan held behind an enrollment to a server
          // that never answers is released now, not when the request times out.
          central.abort();
          await drainAtEnd(0, 'signal');
        }
        await central.stop();
        await kiosk.stop();
      })().catch((err: unknown) => logger.error('stop failed', { error: String(err) }));
      void stopping.then(resolve);
    };
    // A signal caught while the kiosk was starting stops it now.
    onStopSignal(stop);
    // Started by a parent with an IPC channel (the demo): stop when that parent is gone.
    onParentGone(() => stop('parent-exited'));
    stopOn = stop;
  });

  // A finite source that ended on an error (its file vanished after the start check) makes the
  // run exit 1: a script must not take a scan file that was never read for an empty one. A looping
  // source ends only on such an error, so a run of looping sources that have all ended exits 1 too.
  const failedSources: string[] = [];
  if (endable) {
    const failed = new Set<string>();
    kiosk.on('scanner', (st) => {
      if (st.state !== 'closed') return;
      const source = `${st.deviceId}\n${st.uri}`;
      if (st.lastError && !failed.has(source)) {
        failed.add(source);
        failedSources.push(`${st.deviceId}: ${st.lastError}`);
      }
      // The input has ended when every scanner the kiosk reads has: counted on the scanners
      // themselves, not on their ids or on the --scanner flags (two sources sharing an id, or two
      // flags the device manager read as one, made the run wait for an end already seen).
      const all = kiosk.scannerStatus();
      if (all.length > 0 && all.every((s) => s.state === 'closed')) stopOn(END_OF_INPUT);
    });
  }

  // Keeps the process alive when no scanner holds a handle (a finished sim: file, a scanner
  // still being retried): a kiosk runs until it is told to stop.
  const keepAlive = setInterval(() => undefined, 60_000);
  if (api && rendererDir && webServer) {
    // Before the scanners open: a port that is taken ends the run at once, releasing the data dir.
    try {
      web.ui = await webServer.startWebUi({ api, port, staticDir: rendererDir, logger, ...(webToken ? { token: webToken } : {}) });
    } catch (err) {
      clearInterval(keepAlive);
      api.close();
      await central.stop();
      await kiosk.stop();
      throw listenProblem(err as NodeJS.ErrnoException, WEB_HOST, port) ?? err;
    }
    // A stop that came while the screens were being served closed nothing of theirs yet.
    if (stopping) await web.ui.close();
  }
  // A stop asked during the start (SIGTERM while the store opened) skips the scanners and `ready`.
  if (!stopping) {
    await kiosk.start();
    out({ event: 'ready' });
    if (web.ui) out({ event: 'ui', url: web.ui.url });
  }
  await stopped;
  clearInterval(keepAlive);
  out({ event: 'stopped' });
  if (failedSources.length > 0) {
    process.stderr.write(`checkpoint-kiosk run: a scanner source could not be read: ${failedSources.join('; ')}\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

/** `run --set-pin`: the PIN from stdin (6-12 digits), stored hashed; the kiosk is not started. */
async function setPinCommand(dataDir: string, values: Record<string, unknown>): Promise<number> {
  const others = Object.keys(values).filter((k) => k !== 'data-dir' && k !== 'set-pin' && values[k] !== undefined);
  if (others.length > 0) throw new UsageError(`run: --set-pin takes only --data-dir (got --${others[0]})`);
  let pin: string;
  try {
    pin = parsePin(await readStdin(64), 'run --set-pin (stdin)');
    refuseWeakPin(pin, 'run --set-pin (stdin)');
  } catch (err) {
    if (err instanceof PinInputError) throw new UsageError(err.message);
    throw err;
  }
  const logger = jsonLogger();
  try {
    prepareDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirError) throw new UsageError(`run: --data-dir ${err.message}`);
    throw err;
  }
  const lock = lockDataDir(dataDir);
  try {
    const store = openStore({ dir: dataDir, logger, clock: systemClock });
    try {
      await applyPin(store, pin, dataDir, new Date(systemClock.now()).toISOString(), 'set-pin');
    } finally {
      store.close();
    }
  } finally {
    lock.release();
  }
  process.stdout.write(`${JSON.stringify({ event: 'pin-set' })}\n`);
  return EXIT.ok;
}

/** All of stdin, refusing more than `max` bytes (a PIN, not a file). */
async function readStdin(max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > max) throw new PinInputError(`run --set-pin: stdin holds more than ${max} bytes; pipe in the PIN only`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The same scanner named twice would be opened once (the drivers are keyed by device) and a finite
 * run would then wait forever for the second end of input; stdin can only be read once whatever
 * its options. Refused as a usage error. Identity ignores options: `sim:F` and `sim:F?loop=1` are
 * the same file, `serial:/dev/ttyACM0?baud=…` the same port.
 */
function refuseRepeatedScanners(scanners: readonly string[], parsedScanners: readonly ScannerUri[]): void {
  const seen = new Map<string, string>();
  for (const [i, uri] of scanners.entries()) {
    const parsed = parsedScanners[i]!;
    const key = scannerIdentity(parsed);
    const first = seen.get(key);
    if (first !== undefined) {
      const why = parsed.kind === 'stdin' ? ' (standard input can be read by one scanner only)' : first !== uri ? ` (the same ${what(parsed)} as --scanner ${redactCredentials(first)})` : '';
      throw new UsageError(`run: --scanner ${redactCredentials(uri)} given twice; name each scanner once${why}`);
    }
    seen.set(key, uri);
  }
}

function what(parsed: ScannerUri): string {
  if (parsed.kind === 'camera') return parsed.source === 'file' ? 'video file' : parsed.source === 'v4l2' ? 'camera device' : 'camera stream';
  if (parsed.kind === 'sim') return 'scan file';
  return parsed.kind === 'serial' ? 'serial port' : 'scanner';
}

/** A file's absolute path with symlinks resolved (as written, made absolute, when it cannot be resolved). */
function filePath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolvePath(file);
  }
}

/**
 * A file's identity: its device and inode, so hard links (and symlinks, stat follows them) to one
 * file are one file; its resolved path when it cannot be stat'ed (the start check names that).
 */
function fileIdentity(file: string): string {
  try {
    const st = statSync(file);
    return `inode:${st.dev}:${st.ino}`;
  } catch {
    return filePath(file);
  }
}

/** What makes two scanner URIs the same scanner: the thing they read, not their options. */
function scannerIdentity(parsed: ScannerUri): string {
  switch (parsed.kind) {
    case 'stdin':
      return 'stdin';
    case 'sim':
      return `sim:${fileIdentity(parsed.file)}`;
    case 'camera':
      // The file, device or stream read, whatever the options: `camera:F` and `camera:F?fps=5`,
      // a relative and an absolute path to one file, or two hard links to it, are one camera (its ffmpeg would run twice
      // under one device id, and a finite run would wait for an end that is counted once).
      if (parsed.source === 'file') return `camera-file:${fileIdentity(parsed.location)}`;
      if (parsed.source === 'v4l2') return `camera:${fileIdentity(parsed.location)}`;
      return `camera:${parsed.location}`;
    case 'serial':
      return `serial:${parsed.path}`;
    case 'hid':
    case 'hid-pos':
      return `${parsed.kind}:${parsed.vendorId ?? 'auto'}:${parsed.productId ?? ''}:${parsed.params.path ?? ''}`;
    default:
      return parsed.uri;
  }
}
