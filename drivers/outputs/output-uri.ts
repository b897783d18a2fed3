/**
 * Output URIs (the `--relay` / `--output` flags):
 *
 *   none
 *   hid-relay[:VID:PID]?channel=1&pulseMs=800&on=accept&path=/dev/hidraw4
 *       USB HID relay boards "USBRelayN" (V-USB, default id 16C0:05DF)
 *   serial-relay:/dev/ttyUSB1?channel=1&pulseMs=800&protocol=lctech&baud=9600&on=accept
 *       LC-Tech style serial relay boards (frames A0 ch state sum)
 *   beeper?on=accept,reject,refer
 *       the beeper/LED of the scanner that read the code, where its driver supports it (HID POS)
 *
 * `on` lists the verdicts that trigger the output (relays default to accept only: the gate opens
 * for accepted people; the beeper defaults to all three: good beep for accept, bad otherwise).
 * Unknown or repeated options are errors naming the bad part; nothing silently falls back.
 */
import { PULSE_KINDS, type PulseKind } from './types.js';

export const DEFAULT_PULSE_MS = 800;
export const MIN_PULSE_MS = 50;
/** Longest relay pulse: a gate held open longer than this is a configuration mistake. */
export const MAX_PULSE_MS = 10_000;
export const MAX_RELAY_CHANNEL = 8;
/** The common V-USB relay boards ("USBRelay1/2/4/8", dcttech). */
export const USB_RELAY_VENDOR_ID = 0x16c0;
export const USB_RELAY_PRODUCT_ID = 0x05df;
const RELAY_BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

export type OutputUri =
  | { kind: 'none'; uri: string }
  | { kind: 'hid-relay'; uri: string; vendorId: number; productId: number; channel: number; pulseMs: number; on: PulseKind[]; path?: string }
  | { kind: 'serial-relay'; uri: string; path: string; channel: number; pulseMs: number; on: PulseKind[]; protocol: 'lctech'; baudRate: number }
  | { kind: 'beeper'; uri: string; on: PulseKind[] };

export class OutputUriError extends Error {
  constructor(uri: string, detail: string) {
    super(`invalid output URI "${uri.length > 80 ? `${uri.slice(0, 80)}…` : uri}": ${detail}`);
    this.name = 'OutputUriError';
  }
}

export function parseOutputUri(input: string): OutputUri {
  const uri = input.trim();
  const fail = (detail: string): never => {
    throw new OutputUriError(uri, detail);
  };
  if (uri.length === 0) fail('empty; expected none, hid-relay[:VID:PID], serial-relay:PATH or beeper');
  if (uri.length > 1024) fail('longer than 1024 characters');
  if ([...uri].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) fail('contains control characters');
  const q = uri.indexOf('?');
  const head = q === -1 ? uri : uri.slice(0, q);
  const params = parseQuery(q === -1 ? '' : uri.slice(q + 1), fail);
  const colon = head.indexOf(':');
  const scheme = (colon === -1 ? head : head.slice(0, colon)).toLowerCase();
  const rest = colon === -1 ? '' : head.slice(colon + 1);
  const take = (known: string[]) => {
    for (const key of params.keys()) if (!known.includes(key)) fail(`unknown option "${key}" for ${scheme} (known: ${known.join(', ') || 'none'})`);
    return (key: string) => params.get(key);
  };

  switch (scheme) {
    case 'none':
      if (rest) fail(`none takes no path, got "${rest}"`);
      take([]);
      return { kind: 'none', uri };
    case 'hid-relay': {
      const opt = take(['channel', 'pulseMs', 'on', 'path']);
      let vendorId = USB_RELAY_VENDOR_ID;
      let productId = USB_RELAY_PRODUCT_ID;
      if (rest !== '' && rest.toLowerCase() !== 'auto') {
        const m = /^(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$/iu.exec(rest);
        if (!m) fail(`hid-relay needs VID:PID in hex (e.g. hid-relay:16C0:05DF), got "${rest}"`);
        vendorId = parseInt((m as RegExpExecArray)[1] as string, 16);
        productId = parseInt((m as RegExpExecArray)[2] as string, 16);
      }
      const path = opt('path');
      if (path !== undefined && !/^\/dev\/hidraw\d{1,3}$|^[\\/]/u.test(path)) fail(`path must be a device path such as /dev/hidraw4, got "${path}"`);
      return {
        kind: 'hid-relay',
        uri,
        vendorId,
        productId,
        channel: parseChannel(opt('channel'), fail),
        pulseMs: parsePulseMs(opt('pulseMs'), fail),
        on: parseOn(opt('on'), ['accept'], fail),
        ...(path !== undefined ? { path } : {}),
      };
    }
    case 'serial-relay': {
      if (!/^(\/|COM\d+$)/iu.test(rest)) fail(`serial-relay needs an absolute device path (e.g. serial-relay:/dev/ttyUSB1) or COMn, got "${rest}"`);
      const opt = take(['channel', 'pulseMs', 'on', 'protocol', 'baud']);
      const protocol = opt('protocol') ?? 'lctech';
      if (protocol !== 'lctech') fail(`protocol must be lctech (A0 channel state checksum frames), got "${protocol}"`);
      const baud = opt('baud') ?? '9600';
      const baudRate = /^\d{3,6}$/u.test(baud) ? Number(baud) : NaN;
      if (!RELAY_BAUDS.includes(baudRate)) fail(`baud must be one of ${RELAY_BAUDS.join(', ')}, got "${baud}"`);
      return {
        kind: 'serial-relay',
        uri,
        path: rest,
        channel: parseChannel(opt('channel'), fail),
        pulseMs: parsePulseMs(opt('pulseMs'), fail),
        on: parseOn(opt('on'), ['accept'], fail),
        protocol: 'lctech',
        baudRate,
      };
    }
    case 'beeper': {
      if (rest) fail(`beeper takes no path (it uses the scanner that read the code), got "${rest}"`);
      const opt = take(['on']);
      return { kind: 'beeper', uri, on: parseOn(opt('on'), [...PULSE_KINDS], fail) };
    }
    default:
      return fail(`unknown output kind "${scheme}"; expected none, hid-relay, serial-relay or beeper`);
  }
}

type Fail = (detail: string) => never;

function parseQuery(query: string, fail: Fail): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
      value = decodeURIComponent(eq === -1 ? '' : part.slice(eq + 1));
    } catch {
      return fail(`option "${part.slice(0, 40)}" is not valid percent-encoding`);
    }
    if (out.has(key)) fail(`option "${key}" given twice`);
    out.set(key, value);
  }
  return out;
}

function parseChannel(value: string | undefined, fail: Fail): number {
  if (value === undefined) return 1;
  const n = /^\d{1,2}$/u.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_RELAY_CHANNEL)) fail(`channel must be 1..${MAX_RELAY_CHANNEL} (as printed on the board), got "${value}"`);
  return n;
}

function parsePulseMs(value: string | undefined, fail: Fail): number {
  if (value === undefined) return DEFAULT_PULSE_MS;
  const n = /^\d{1,6}$/u.test(value) ? Number(value) : NaN;
  if (!(n >= MIN_PULSE_MS && n <= MAX_PULSE_MS)) fail(`pulseMs must be milliseconds in ${MIN_PULSE_MS}..${MAX_PULSE_MS}, got "${value}"`);
  return n;
}

function parseOn(value: string | undefined, fallback: PulseKind[], fail: Fail): PulseKind[] {
  if (value === undefined) return fallback;
  const kinds = value.split(',').map((k) => k.trim());
  const out: PulseKind[] = [];
  for (const k of kinds) {
    if (!(PULSE_KINDS as readonly string[]).includes(k)) fail(`on must list accept, reject and/or refer separated by commas, got "${value}"`);
    if (!out.includes(k as PulseKind)) out.push(k as PulseKind);
  }
  return out;
}
