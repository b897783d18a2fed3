/**
 * What the screens and the check-in record get from a DCC: the subject (name, date of birth) and
 * a few display lines. Deliberately nothing else from the health data (docs/OPERATIONS.md).
 */
import type { DisplayLine, Subject } from '../../shared/types.js';
import type { JsonValue } from './json.js';
import type { DccGroup } from './schema.js';
import { displaySpoofChar } from '../text.js';

type JsonObject = { [key: string]: JsonValue };

const MAX_FIELD = 80;

function obj(v: JsonValue | undefined): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

function str(v: JsonValue | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim().slice(0, MAX_FIELD);
  return t.length > 0 ? t : undefined;
}

const ICAO_FILLER = /<+/g;

/** ICAO-standardised names use `<` between words. */
function fromIcao(v: JsonValue | undefined): string | undefined {
  const s = str(v);
  return s?.replace(ICAO_FILLER, ' ').trim() || undefined;
}

/**
 * One part of the name: the non-standardised spelling (`fn`, `gn`), unless it holds a character
 * that changes how the text around it is shown without being seen (displaySpoofChar: a bidi
 * override such as U+202E, a zero-width space, a control); then the ICAO spelling (`fnt`, `gnt`),
 * which the schema holds to A–Z and `<`. The schema lets such characters through and the EU
 * verifiers accept the certificate, so the kiosk does too, but never shows or records a name the
 * officer would read differently from the person's documents. Without an ICAO spelling that part
 * is left out.
 */
function namePart(nam: JsonObject, plain: string, icao: string, notes?: string[]): string | undefined {
  const shown = str(nam[plain]);
  const spoof = shown === undefined ? undefined : displaySpoofChar(shown);
  if (shown !== undefined && spoof === undefined) return shown;
  const standardised = fromIcao(nam[icao]);
  // Left out: say so, or the officer sees a short name and no reason.
  if (standardised === undefined && spoof !== undefined) {
    notes?.push(`nam.${plain} holds the invisible or control character ${spoof} and the DCC gives no nam.${icao}: that part of the name is not shown or recorded (check it on the person's documents)`);
  }
  return standardised;
}

/**
 * "FN GN": surname(s) then forename(s), preferring the non-standardised spelling (namePart). A part
 * left out for want of an ICAO spelling is said in `notes` (the result's messages).
 */
export function dccSubject(dcc: JsonValue, notes?: string[]): Subject {
  const root = obj(dcc);
  if (!root) return {};
  const nam = obj(root['nam']);
  const fn = nam ? namePart(nam, 'fn', 'fnt', notes) : undefined;
  const gn = nam ? namePart(nam, 'gn', 'gnt', notes) : undefined;
  const name = fn !== undefined && gn !== undefined ? `${fn} ${gn}` : (fn ?? gn ?? '');
  const subject: Subject = { idType: 'other' };
  if (name) subject.name = name;
  const dob = str(root['dob']);
  if (dob) subject.dob = dob;
  return subject;
}

function firstEntry(dcc: JsonValue, group: DccGroup): JsonObject | undefined {
  const list = obj(dcc)?.[group];
  return Array.isArray(list) ? obj(list[0]) : undefined;
}

/** The unique certificate identifier (UVCI), usable as a status-list (revocation) key. */
export function dccCertificateId(dcc: JsonValue, group: DccGroup): string | undefined {
  return str(firstEntry(dcc, group)?.['ci']);
}

/** The optional UVCI prefix (eHN guidelines Annex 2), any case. */
const UVCI_PREFIX = /^urn:uvci:/i;
/** A UVCI without its prefix: a two-digit version and a country code first (`01:VN:…`). */
const UVCI_BODY = /^\d\d:[A-Za-z]{2}[:/]/;
/** The optional checksum: `#` and one character at the end (Luhn mod N, the paper form). */
const UVCI_CHECKSUM = /#[^#]$/;

/**
 * The ids a status list may name a DCC by: its certificate identifier `ci` as written, and, for a
 * UVCI (eHN guidelines Annex 2), its other spellings of the same identifier: the optional
 * `URN:UVCI:` prefix in capitals, left out or added (Luxembourg leaves it out; Switzerland and the
 * Netherlands write `urn:uvci:`), each also without the optional `#` checksum character. Looked
 * up exactly, the `ci` alone missed an entry for the same certificate spelt the other way, and a
 * revoked certificate was accepted. Anything that is not a UVCI is its own one key.
 */
export function certificateIdKeys(ci: string): string[] {
  const body = UVCI_PREFIX.test(ci) ? ci.slice('urn:uvci:'.length) : ci;
  if (!UVCI_BODY.test(body)) return [ci];
  const keys = [ci];
  const bodies = UVCI_CHECKSUM.test(body) ? [body, body.slice(0, -2)] : [body];
  for (const b of bodies) {
    for (const key of [`URN:UVCI:${b}`, b]) if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

export function dccDetails(dcc: JsonValue, group: DccGroup): DisplayLine[] {
  const e = firstEntry(dcc, group);
  if (!e) return [];
  let type: string;
  if (group === 'v') {
    const dn = e['dn'];
    const sd = e['sd'];
    type = typeof dn === 'number' && typeof sd === 'number' ? `vaccination ${dn}/${sd}` : 'vaccination';
  } else {
    type = group === 't' ? 'test' : 'recovery';
  }
  const lines: DisplayLine[] = [{ label: 'type', value: type }];
  const co = str(e['co']);
  if (co) lines.push({ label: 'country', value: co });
  // The certificate issuer is free text (schema: up to 80 characters); one holding a bidi override,
  // a zero-width space or a control would be shown other than it reads (as a name part would:
  // namePart), so it is left off the screen. The certificate is unaffected.
  const is = str(e['is']);
  if (is && displaySpoofChar(is) === undefined) lines.push({ label: 'issuer', value: is });
  return lines;
}
