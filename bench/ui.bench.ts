/**
 * UI latency (README.md, issue 6): scan → verdict painted in Chromium, for a serial scanner and
 * for a keyboard-wedge scanner, against the real kiosk (`run --ui web`, a child process with its
 * SQLite store and a serial scanner on a socat pty) shown by Debian's Chromium.
 *
 *   serial: from just before the last byte (the line's CR LF, written in one write() with the
 *           scan) goes to the pty, to the first frame painted after the result screen appeared.
 *   wedge:  from the timeStamp of the last key (Enter) of a scan typed into the page at scanner
 *           speed, to the same paint. Both ends are in the page's clock: no alignment needed.
 * "Painted": a MutationObserver sees the result screen appear (Preact's commit), then
 * requestAnimationFrame + a MessageChannel task: the rAF callback runs before that frame's
 * style/layout/paint, the task after it, so its timestamp is taken once the frame was produced.
 *
 * Clocks: Node and the page both report performance.timeOrigin + performance.now(), each an
 * origin snapshot of the wall clock plus CLOCK_MONOTONIC, so they differ by a constant. That
 * constant is measured NTP-style: many page.evaluate() round trips, the one with the smallest
 * round trip gives offset = pageTime − midpoint, uncertain by ± half that round trip (reported).
 *
 * Floors, measured in the same run and the same page:
 *   serial: Node sends a WebSocket message to the page (its own small server on 127.0.0.1), the
 *           page writes it into the DOM, same paint detection: the cost of any external event
 *           reaching the screen, with the same clock alignment.
 *   wedge:  a key press in the page sent to that server and echoed back, written into the DOM,
 *           same paint detection.
 * The ratio value / floor is what the kiosk adds (decode, verify, SQLite commit with
 * synchronous=FULL, Preact render). Aim: p99 < 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Page } from 'playwright-core';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { startCli, type CliProcess } from '../test/helpers/cli.js';
import { startPtyPair, type PtyPair } from '../test/helpers/pty.js';
import { latencyStats, type Row } from './lib.js';

const N = Number(process.env.BENCH_UI_N ?? 50);
const WARMUP = 5;
const debug = (msg: string) => void (process.env.BENCH_DEBUG ? process.stderr.write(`ui.bench: ${msg}\n`) : undefined);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/**
 * A random pause of 0–20 ms before every stimulus: the page paints in ~16.7 ms frames, and a
 * stimulus sent right after the previous paint was observed would always land at the same frame
 * phase (just after a frame: the worst case). Random phases make scan and floor comparable.
 */
const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 20));

/** Node's clock in the same units as the page's: ms since the Unix epoch, sub-ms resolution. */
const nodeNow = () => performance.timeOrigin + performance.now();

/**
 * Installed in the page (plain JS: this project's type-check has no DOM lib): paint detection,
 * the last wedge key's stamp, and the floor's WebSocket client. Resolves once that socket is open.
 */
const INSTRUMENT = (floorWsUrl: string) => `new Promise((resolve, reject) => {
  const now = () => performance.timeOrigin + performance.now();
  const afterPaint = (done) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => done(now());
    ch.port2.postMessage(0);
  });
  const floorEl = document.createElement('div');
  floorEl.setAttribute('aria-hidden', 'true');
  floorEl.style.cssText = 'position:fixed;top:0;left:0;font-size:10px;z-index:9';
  document.body.appendChild(floorEl);
  const ws = new WebSocket(${JSON.stringify(floorWsUrl)});
  window.__bench = { paints: [], floorPaints: [], lastKeyAt: 0 };
  let shown = false;
  new MutationObserver(() => {
    const present = document.querySelector('[data-screen="result"]') !== null;
    if (present && !shown) afterPaint((t) => window.__bench.paints.push(t));
    shown = present;
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-screen'] });
  window.addEventListener('keydown', (e) => {
    if (e.code === 'Enter') window.__bench.lastKeyAt = performance.timeOrigin + e.timeStamp;
    if (e.code === 'F9') ws.send(JSON.stringify({ echo: performance.timeOrigin + e.timeStamp }));
  }, true);
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data));
    floorEl.textContent = 'floor ' + (msg.i ?? msg.echo);
    // Serial floor: the paint time; wedge floor: paint time minus the key's own stamp (page clock).
    afterPaint((t) => window.__bench.floorPaints.push(msg.echo !== undefined ? t - msg.echo : t));
  };
  ws.onopen = () => resolve(true);
  ws.onerror = () => reject(new Error('floor WebSocket failed'));
})`;

/** offset = page clock − Node clock, from the page.evaluate round trip with the smallest RTT. */
async function clockOffset(page: Page): Promise<{ offset: number; uncertainty: number }> {
  let best = { offset: 0, rtt: Infinity };
  for (let i = 0; i < 40; i++) {
    const t0 = nodeNow();
    const pageT = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
    const t1 = nodeNow();
    if (t1 - t0 < best.rtt) best = { offset: pageT - (t0 + t1) / 2, rtt: t1 - t0 };
  }
  return { offset: best.offset, uncertainty: best.rtt / 2 };
}

type Series = 'paints' | 'floorPaints';
const count = async (page: Page, key: Series) => (await page.evaluate(`window.__bench.${key}.length`)) as number;

/** The first stamp recorded in `key` after index `before`. */
async function nextPaint(page: Page, key: Series, before: number): Promise<number> {
  await page.waitForFunction(`window.__bench.${key}.length > ${before}`, undefined, { timeout: 15_000 });
  return (await page.evaluate(`window.__bench.${key}[${before}]`)) as number;
}

/** Types like a keyboard-wedge scanner (US layout, Shift for upper case and '|'), then Enter. */
async function typeScan(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    const code = /[a-z]/i.test(ch) ? `Key${ch.toUpperCase()}` : /\d/.test(ch) ? `Digit${ch}` : ch === '|' ? 'Backslash' : ch === '-' ? 'Minus' : 'Space';
    const shift = /[A-Z|]/.test(ch);
    if (shift) await page.keyboard.down('Shift');
    await page.keyboard.press(code);
    if (shift) await page.keyboard.up('Shift');
  }
  await page.keyboard.press('Enter');
}

const cccd = (i: number) => `001085${String(i).padStart(6, '0')}||Nguyen Van An|15031985|Nam|Hoan Kiem, Ha Noi|10072021`;
const unifiedQr = (i: number) => `001085${String(i).padStart(6, '0')}|NGUYEN VAN AN|1985-03-15|0|Q${String(i).padStart(8, '0')}|`;

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-ui-bench-'));
  let pty: PtyPair | undefined;
  let kiosk: CliProcess | undefined;
  const floorServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const listening = new Promise<void>((r) => floorServer.once('listening', () => r()));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  try {
    await listening;
    const floorPort = (floorServer.address() as { port: number }).port;
    let pageSocket: WsSocket | undefined;
    floorServer.on('connection', (s) => {
      pageSocket = s;
      s.on('message', (data) => s.send(String(data)));
    });

    pty = await startPtyPair();
    kiosk = startCli(['run', '--ui', 'web', '--data-dir', path.join(dir, 'kiosk'), '--scanner', `serial:${pty.devicePath}?baud=115200`, '--checkpoint', 'BENCH'], { CHECKPOINT_KIOSK_LOG: 'error' });
    const url = String((await kiosk.waitFor((l) => l.event === 'ui', 30_000)).url);
    debug(`kiosk at ${url.replace(/token=.*/, 'token=…')}`);
    await kiosk.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 15_000);
    // The page talks to the bench's floor server too: its CSP would (rightly) refuse that.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${url}&resultMs=500`);
    await page.waitForSelector('[data-screen="tech-setup"]');
    await page.click('[data-nav="kiosk"]');
    await page.waitForSelector('[data-screen="attract"]');
    await page.evaluate(INSTRUMENT(`ws://127.0.0.1:${floorPort}`));
    const clock = await clockOffset(page);
    debug(`instrumented; clock offset ${clock.offset.toFixed(2)} ± ${clock.uncertainty.toFixed(2)} ms`);

    const serial: number[] = [];
    const serialFloor: number[] = [];
    for (let i = 0; i < N + WARMUP; i++) {
      await page.waitForSelector('[data-screen="attract"]');
      const before = await count(page, 'paints');
      await jitter();
      const t = nodeNow();
      await pty.write(`${cccd(i)}\r\n`);
      const painted = await nextPaint(page, 'paints', before);
      const fBefore = await count(page, 'floorPaints');
      await jitter();
      const tf = nodeNow();
      pageSocket!.send(JSON.stringify({ i }));
      const fPainted = await nextPaint(page, 'floorPaints', fBefore);
      debug(`serial ${i}`);
      if (i >= WARMUP) {
        serial.push(painted - clock.offset - t);
        serialFloor.push(fPainted - clock.offset - tf);
      }
    }

    const wedge: number[] = [];
    const wedgeFloor: number[] = [];
    for (let i = 0; i < N + WARMUP; i++) {
      await page.waitForSelector('[data-screen="attract"]');
      const before = await count(page, 'paints');
      await jitter();
      await typeScan(page, unifiedQr(1000 + i));
      const painted = await nextPaint(page, 'paints', before);
      const lastKeyAt = (await page.evaluate('window.__bench.lastKeyAt')) as number;
      const fBefore = await count(page, 'floorPaints');
      await jitter();
      await page.keyboard.press('F9');
      const fLatency = await nextPaint(page, 'floorPaints', fBefore);
      if (i >= WARMUP) {
        wedge.push(painted - lastKeyAt);
        wedgeFloor.push(fLatency);
      }
    }
    const lines = kiosk.lines.filter((l) => l.event === 'checkin');
    if (lines.length !== 2 * (N + WARMUP) || lines.some((l) => l.verdict !== 'accept')) {
      throw new Error(`expected ${2 * (N + WARMUP)} accepted check-ins, got ${lines.length} (${[...new Set(lines.map((l) => `${String(l.verdict)}:${String(l.reasons)}`))].join(' ')})`);
    }

    const s = latencyStats(serial);
    const sf = latencyStats(serialFloor);
    const k = latencyStats(wedge);
    const kf = latencyStats(wedgeFloor);
    const meaning = (what: string) => `${what} / floor (lower is better; aim p99 < 50 ms)`;
    return [
      { bench: 'ui', metric: `serial last byte → painted p50 (n=${N})`, value: s.p50, unit: 'ms', floor: sf.p50, ratio: s.p50 / sf.p50, ratioMeaning: meaning('scan') },
      { bench: 'ui', metric: `serial last byte → painted p99 (n=${N})`, value: s.p99, unit: 'ms', floor: sf.p99, ratio: s.p99 / sf.p99, ratioMeaning: meaning('scan') },
      { bench: 'ui', metric: `wedge last key → painted p50 (n=${N})`, value: k.p50, unit: 'ms', floor: kf.p50, ratio: k.p50 / kf.p50, ratioMeaning: meaning('scan') },
      { bench: 'ui', metric: `wedge last key → painted p99 (n=${N})`, value: k.p99, unit: 'ms', floor: kf.p99, ratio: k.p99 / kf.p99, ratioMeaning: meaning('scan') },
      { bench: 'ui', metric: 'Node↔page clock alignment uncertainty (serial rows)', value: clock.uncertainty, unit: '± ms' },
    ];
  } finally {
    await browser.close();
    floorServer.close();
    if (kiosk && kiosk.child.exitCode === null) {
      kiosk.child.kill('SIGTERM');
      await kiosk.exited;
    }
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx bench/ui.bench.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./lib.js');
  printTable(await run());
}
