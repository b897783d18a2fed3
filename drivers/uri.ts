/**
 * Scanner URIs (README.md): what `--scanner` accepts.
 *
 *   serial:/dev/ttyUSB0?baud=9600&maxLine=8192&idleMs=100
 *   hid:VID:PID                 (hex, e.g. hid:05e0:1200 or hid:0x05E0:0x1200)
 *   hid-pos:auto | hid-pos:VID:PID
 *   sim:FILE?intervalMs=500&loop=1&maxLine=8192
 *   camera:/dev/video0 | camera:rtsp://… | camera:http://… | camera:FILE  ?fps&width&height&roi&loop
 *   stdin?maxLine=8192&idleMs=0
 *   auto
 *
 * Query values are percent-decoded. Unknown or repeated options are errors, so a typo never
 * silently falls back to a default. HID kinds keep their raw options in `params` for their driver
 * to validate. Errors are ScannerUriError with a message that names the bad part.
 */
import { parseCameraUri, type CameraUri } from './camera/camera-uri.js';
import { redactCredentials } from '../src/shared/redact-credentials.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_SERIAL_IDLE_MS, MAX_MAX_LINE_BYTES, MIN_MAX_LINE_BYTES } from './framing/line-framer.js';

/** Pause between scans of a `sim:` replay with `loop` and no `intervalMs` (ms). */
export const SIM_LOOP_DEFAULT_INTERVAL_MS = 500;

export const STANDARD_BAUD_RATES = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400, 460800, 921600] as const;
export const DEFAULT_BAUD_RATE = 9600;
/** Longest accepted inter-byte timeout / sim interval, in milliseconds. */
export const MAX_DELAY_MS = 60_000;
const MAX_URI_LENGTH = 4096;

export type ScannerUri =
  | { kind: 'serial'; uri: string; path: string; baudRate: number; maxLineBytes: number; idleMs: number }
  | { kind: 'stdin'; uri: string; maxLineBytes: number; idleMs: number }
  | { kind: 'sim'; uri: string; file: string; intervalMs: number; loop: boolean; maxLineBytes: number }
  | { kind: 'hid'; uri: string; vendorId: number; productId: number; params: Record<string, string> }
  | { kind: 'hid-pos'; uri: string; vendorId?: number; productId?: number; params: Record<string, string> }
  | CameraUri
  | { kind: 'auto'; uri: string };

export type ScannerKind = ScannerUri['kind'];

export class ScannerUriError extends Error {
  constructor(uri: string, detail: string) {
    // Masked before it is cut: a camera URL's password must not show, whole or in part.
    const shown = redactCredentials(uri);
    super(`invalid scanner URI "${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}": ${detail}`);
    this.name = 'ScannerUriError';
  }
}

export function parseScannerUri(input: string): ScannerUri {
  const uri = input.trim();
  const fail = (detail: string): never => {
    throw new ScannerUriError(uri, detail);
  };
  if (uri.length === 0) fail('empty; expected one of serial:PATH, hid:VID:PID, hid-pos:auto, sim:FILE, camera:DEVICE|URL|FILE, stdin, auto');
  if (uri.length > MAX_URI_LENGTH) fail(`longer than ${MAX_URI_LENGTH} characters`);
  if (hasControlChars(uri)) fail('contains control characters');

  const q = uri.indexOf('?');
  const head = q === -1 ? uri : uri.slice(0, q);
  const params = parseQuery(q === -1 ? '' : uri.slice(q + 1), fail);
  const colon = head.indexOf(':');
  const scheme = (colon === -1 ? head : head.slice(0, colon)).toLowerCase();
  const rest = colon === -1 ? undefined : head.slice(colon + 1);

  switch (scheme) {
    case 'serial': {
      if (!rest) fail('serial needs a device path, e.g. serial:/dev/ttyUSB0');
      const path = rest as string;
      if (!/^(\/|COM\d+$|\\\\\.\\)/iu.test(path)) fail(`serial path must be absolute (/dev/...) or COMn, got "${path}"`);
      const opts = takeOptions(params, ['baud', 'maxLine', 'idleMs'], 'serial', fail);
      return {
        kind: 'serial',
        uri,
        path,
        baudRate: opts.baud === undefined ? DEFAULT_BAUD_RATE : parseBaud(opts.baud, fail),
        maxLineBytes: parseMaxLine(opts.maxLine, fail),
        idleMs: opts.idleMs === undefined ? DEFAULT_SERIAL_IDLE_MS : parseDelay('idleMs', opts.idleMs, fail),
      };
    }
    case 'stdin': {
      if (rest) fail(`stdin takes no path, got "${rest}"`);
      const opts = takeOptions(params, ['maxLine', 'idleMs'], 'stdin', fail);
      return {
        kind: 'stdin',
        uri,
        maxLineBytes: parseMaxLine(opts.maxLine, fail),
        idleMs: opts.idleMs === undefined ? 0 : parseDelay('idleMs', opts.idleMs, fail),
      };
    }
    case 'sim': {
      if (!rest) fail('sim needs a file, e.g. sim:./scans.txt');
      const opts = takeOptions(params, ['intervalMs', 'loop', 'maxLine'], 'sim', fail);
      const loop = opts.loop === undefined ? false : parseFlag('loop', opts.loop, fail);
      return {
        kind: 'sim',
        uri,
        file: rest as string,
        // A looping replay with no pause would record hundreds of scans a second for ever:
        // it waits SIM_LOOP_DEFAULT_INTERVAL_MS between scans unless told otherwise.
        intervalMs: opts.intervalMs !== undefined ? parseDelay('intervalMs', opts.intervalMs, fail) : loop ? SIM_LOOP_DEFAULT_INTERVAL_MS : 0,
        loop,
        maxLineBytes: parseMaxLine(opts.maxLine, fail),
      };
    }
    case 'hid': {
      const ids = parseVidPid(rest, 'hid', fail);
      if (!ids) fail('hid needs VID:PID in hex, e.g. hid:05e0:1200');
      return { kind: 'hid', uri, ...(ids as { vendorId: number; productId: number }), params: Object.fromEntries(params) };
    }
    case 'hid-pos': {
      if (rest?.toLowerCase() === 'auto') return { kind: 'hid-pos', uri, params: Object.fromEntries(params) };
      const ids = parseVidPid(rest, 'hid-pos', fail);
      if (!ids) fail('hid-pos needs "auto" or VID:PID in hex, e.g. hid-pos:auto');
      return { kind: 'hid-pos', uri, ...(ids as { vendorId: number; productId: number }), params: Object.fromEntries(params) };
    }
    case 'camera':
      return parseCameraUri(uri, rest, params, fail);
    case 'auto': {
      if (rest) fail(`auto takes no path, got "${rest}"`);
      takeOptions(params, [], 'auto', fail);
      return { kind: 'auto', uri };
    }
    default:
      return fail(`unknown scanner kind "${scheme}"; expected serial, hid, hid-pos, sim, camera, stdin or auto`);
  }
}

type Fail = (detail: string) => never;

function parseQuery(query: string, fail: Fail): Map<string, string> {
  const out = new Map<string, string>();
  if (query === '') return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      return fail(`option "${rawKey}" is not valid percent-encoding`);
    }
    if (out.has(key)) fail(`option "${key}" given twice`);
    out.set(key, value);
  }
  return out;
}

function takeOptions(params: Map<string, string>, known: readonly string[], kind: string, fail: Fail): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of params) {
    if (!known.includes(key)) {
      fail(known.length === 0 ? `${kind} takes no options, got "${key}"` : `unknown option "${key}" for ${kind} (known: ${known.join(', ')})`);
    }
    out[key] = value;
  }
  return out;
}

function parseBaud(value: string, fail: Fail): number {
  const n = /^\d{1,7}$/u.test(value) ? Number(value) : NaN;
  if (!(STANDARD_BAUD_RATES as readonly number[]).includes(n)) {
    fail(`baud must be one of 1200..921600 (${STANDARD_BAUD_RATES.join(', ')}), got "${value}"`);
  }
  return n;
}

function parseMaxLine(value: string | undefined, fail: Fail): number {
  if (value === undefined) return DEFAULT_MAX_LINE_BYTES;
  const n = /^\d{1,8}$/u.test(value) ? Number(value) : NaN;
  if (!(n >= MIN_MAX_LINE_BYTES && n <= MAX_MAX_LINE_BYTES)) {
    fail(`maxLine must be a number of bytes in ${MIN_MAX_LINE_BYTES}..${MAX_MAX_LINE_BYTES}, got "${value}"`);
  }
  return n;
}

function parseDelay(name: string, value: string, fail: Fail): number {
  const n = /^\d{1,6}$/u.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= MAX_DELAY_MS)) fail(`${name} must be milliseconds in 0..${MAX_DELAY_MS}, got "${value}"`);
  return n;
}

function parseFlag(name: string, value: string, fail: Fail): boolean {
  if (value === '1' || value === 'true' || value === '') return true;
  if (value === '0' || value === 'false') return false;
  return fail(`${name} must be 1, 0, true or false, got "${value}"`);
}

function parseVidPid(rest: string | undefined, kind: string, fail: Fail): { vendorId: number; productId: number } | undefined {
  if (!rest) return undefined;
  const parts = rest.split(':');
  if (parts.length !== 2) fail(`${kind} needs VID:PID, got "${rest}"`);
  const [vid, pid] = parts.map((p, i) => parseHexId(p, i === 0 ? 'VID' : 'PID', fail));
  return { vendorId: vid as number, productId: pid as number };
}

function parseHexId(text: string, what: string, fail: Fail): number {
  const m = /^(?:0x)?([0-9a-f]{1,4})$/iu.exec(text);
  if (!m) fail(`${what} must be 1–4 hex digits (e.g. 05e0), got "${text}"`);
  return parseInt((m as RegExpExecArray)[1] as string, 16);
}

function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
