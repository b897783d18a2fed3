/**
 * Trust bundle (docs/TRUST-BUNDLE.md) → TrustIndex. Validates the whole shape up front so a bad bundle is
 * refused with one clear error (JSON path + problem) instead of failing scan by scan later.
 *
 * Unknown keys in our own format, at every level, are refused with the nearest valid key named
 * (`trust bundle: unknown key "stauts" at $ (did you mean "status"?)`): a misspelt section would
 * otherwise be ignored and, say, a blocked ID accepted. Foreign formats inside the bundle are left
 * as their owners define them: EU business-rule objects, value-set contents, JWKs and JWK Sets.
 * Every list and string is bounded; see TRUST_LIMITS.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { StatusEntry } from '../../shared/trust.js';
import { TrustBundleError, invalidAt } from './errors.js';
import { loadDeclarationIssuers, loadShcIssuers } from './keys.js';
import { kidOfDer } from './kid.js';
import { certificateValidityProblem } from '../dcc/signers.js';
import { BUNDLE_KEYS } from './bundle-keys.js';
import { duplicateKeyMessage, firstDuplicateKey } from '../../shared/duplicate-keys.js';
import { META_FILE_ADVICE, SIGNED_BUNDLE_ADVICE, isJwsCompact, isTrustMeta } from './file-kind.js';
import type { DccSigner, DeclarationIssuer, ShcIssuer, TrustIndex } from './types.js';
import type { JsonObject } from './validate.js';
import {
  child,
  expectArray,
  expectIsoTime,
  expectKnownKeys,
  expectObject,
  expectString,
  optionalObject,
  optionalString,
} from './validate.js';

/**
 * Bounds on a bundle. Sized for the real world with a wide margin: the EU gateway publishes a few
 * thousand signer certificates and a few hundred rules; a city-wide status list (F0/F1, quarantine)
 * can run to hundreds of thousands of entries, which at ~60 bytes each still fits the byte limit.
 */
export const TRUST_LIMITS = {
  /** Whole bundle, bytes of JSON (file or signed payload). */
  maxBundleBytes: 50 * 1024 * 1024,
  maxDccSigners: 20_000,
  /** base64 of one DER certificate (real ones are 0.5–3 KB). */
  maxCertificateChars: 16_384,
  maxDccRules: 10_000,
  maxValueSets: 1_000,
  maxValueSetCodes: 10_000,
  maxShcIssuers: 10_000,
  maxKeysPerShcIssuer: 100,
  maxDeclarationIssuers: 1_000,
  maxStatusEntries: 1_000_000,
  /** kids, ID numbers, QIDs, declaration ids, value codes. */
  maxIdChars: 128,
  /** Display names, countries, `iss` URLs. */
  maxTextChars: 2_048,
} as const;

/** `status:<status>` must be a valid reason code (src/shared/reasons.ts). */
const STATUS_PATTERN = /^[\w.-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const NO_SIGNERS: readonly DccSigner[] = Object.freeze([]);
const NO_STATUS: readonly StatusEntry[] = Object.freeze([]);

interface IndexedStatus {
  entry: StatusEntry;
  /** Epoch ms of `until`, or +Infinity when the entry has no end. */
  untilMs: number;
}

/**
 * Validate a parsed bundle and index it. Throws TrustBundleError (message `path: problem`).
 */
export function parseTrustBundle(json: unknown): TrustIndex {
  const root = expectObject(json, '');
  expectKnownKeys(root, '', BUNDLE_KEYS.root);
  if (root.version === undefined) {
    throw invalidAt('version', 'missing; a trust bundle starts with "version": 1 and "issuedAt": "2026-11-25T00:00:00Z" (docs/TRUST-BUNDLE.md)');
  }
  if (root.version !== 1) {
    throw invalidAt('version', `unsupported version ${JSON.stringify(root.version)} (expected 1)`);
  }
  if (root.issuedAt === undefined) {
    throw invalidAt('issuedAt', 'missing; add "issuedAt" with the time the bundle was made, e.g. "issuedAt": "2026-11-25T00:00:00Z" (docs/TRUST-BUNDLE.md)');
  }
  expectIsoTime(root.issuedAt, 'issuedAt');
  const issuedAt = root.issuedAt as string;

  const dcc = optionalObject(root, 'dcc', '');
  if (dcc) expectKnownKeys(dcc, 'dcc', BUNDLE_KEYS.dcc);
  const signers = dcc ? loadDccSigners(dcc) : new Map<string, DccSigner[]>();
  const dccRules = dcc ? loadRules(dcc) : [];
  const dccValueSets = dcc ? loadValueSets(dcc) : {};

  const shc = optionalObject(root, 'shc', '');
  if (shc) expectKnownKeys(shc, 'shc', BUNDLE_KEYS.issuersSection);
  const shcIssuers: Map<string, ShcIssuer> = shc ? loadShcIssuers(shc, 'shc', TRUST_LIMITS) : new Map();

  const declaration = optionalObject(root, 'declaration', '');
  if (declaration) expectKnownKeys(declaration, 'declaration', BUNDLE_KEYS.issuersSection);
  const declarationIssuers: Map<string, DeclarationIssuer> = declaration
    ? loadDeclarationIssuers(declaration, 'declaration', TRUST_LIMITS)
    : new Map();

  const statusSection = optionalObject(root, 'status', '');
  if (statusSection) expectKnownKeys(statusSection, 'status', BUNDLE_KEYS.status);
  const status = statusSection ? loadStatus(statusSection) : new Map<string, IndexedStatus[]>();

  return Object.freeze({
    issuedAt,
    dccSigners: (kid: string) => signers.get(kid) ?? NO_SIGNERS,
    dccRules: Object.freeze(dccRules),
    dccValueSets: Object.freeze(dccValueSets),
    shcIssuer: (iss: string) => shcIssuers.get(iss),
    declarationIssuer: (kid: string) => declarationIssuers.get(kid),
    statuses: (id: string, at: Date): readonly StatusEntry[] => {
      const listed = status.get(id);
      if (listed === undefined) return NO_STATUS;
      const atMs = at.getTime();
      // An entry applies up to and including its `until` instant.
      const live: StatusEntry[] = [];
      for (const s of listed) if (atMs <= s.untilMs) live.push(s.entry);
      return live;
    },
  });
}

/**
 * Read, parse and index a bundle file. Errors are TrustBundleError naming the file: missing,
 * unreadable, too large, not JSON, or invalid (with the JSON path).
 */
export async function readTrustFile(file: string): Promise<TrustIndex> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new TrustBundleError(`${file}: not a regular file`, { file });
    if (info.size > TRUST_LIMITS.maxBundleBytes) {
      throw new TrustBundleError(
        `${file}: trust bundle too large (${info.size} bytes > ${TRUST_LIMITS.maxBundleBytes})`,
        { file },
      );
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof TrustBundleError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'trust bundle file not found' : `cannot read trust bundle file (${code ?? String(err)})`;
    throw new TrustBundleError(`${file}: ${problem}`, { file, cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    if (isJwsCompact(text)) throw new TrustBundleError(`${file} is ${SIGNED_BUNDLE_ADVICE}`, { file });
    throw new TrustBundleError(`${file}: not valid JSON (${(err as Error).message})`, { file, cause: err });
  }
  if (isTrustMeta(json)) throw new TrustBundleError(`${file} is ${META_FILE_ADVICE}`, { file });
  const dup = firstDuplicateKey(text);
  if (dup) throw new TrustBundleError(`${file}: trust bundle: ${duplicateKeyMessage(dup)}`, { file, path: dup.path });
  try {
    return parseTrustBundle(json);
  } catch (err) {
    if (!(err instanceof TrustBundleError)) throw err;
    throw new TrustBundleError(`${file}: ${err.message}`, { file, path: err.path ?? '', cause: err });
  }
}

/** base64 or base64url, padded or not: how key ids are copied from gateways and national lists. */
const ANY_BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

/**
 * A signer's given kid as scans look it up: the bytes it names, written as padded standard
 * base64 (base64Text of the COSE kid). A kid copied without its padding ("9T3aGXtSul0") or in
 * base64url names the same bytes, and kept as written it matched no scan: every DCC of that signer
 * was unknown-signer without a word. Text that is no base64 at all is refused with its path.
 */
function dccKidText(given: string, path: string): string {
  const bytes = given.length > 0 && ANY_BASE64.test(given) ? Buffer.from(given, given.includes('-') || given.includes('_') ? 'base64url' : 'base64') : undefined;
  if (!bytes || bytes.length === 0) throw invalidAt(path, 'not a key id: expected the base64 of its bytes, as the gateway lists it (e.g. "9T3aGXtSul0=")');
  return bytes.toString('base64');
}

function loadDccSigners(dcc: JsonObject): Map<string, DccSigner[]> {
  const byKid = new Map<string, DccSigner[]>();
  if (dcc.signers === undefined) return byKid;
  const list = expectArray(dcc.signers, 'dcc.signers', TRUST_LIMITS.maxDccSigners);
  list.forEach((item, i) => {
    const path = child('dcc.signers', i);
    const obj = expectObject(item, path);
    expectKnownKeys(obj, path, BUNDLE_KEYS.dccSigner);
    const certPath = child(path, 'certificate');
    const b64 = expectString(obj.certificate, certPath, TRUST_LIMITS.maxCertificateChars);
    const der = BASE64.test(b64) ? Buffer.from(b64, 'base64') : undefined;
    let certificate: X509Certificate;
    try {
      if (!der || der.length === 0) throw new Error('not base64');
      certificate = new X509Certificate(der);
    } catch {
      throw invalidAt(certPath, 'not a valid base64 DER X.509 certificate');
    }
    // OpenSSL reads a certificate whose validity is not a time RFC 5280 allows (month 13, no `Z`)
    // and prints it "Bad time value": refused here with its path, as an unreadable certificate is.
    const validity = certificateValidityProblem(certificate.validFrom, certificate.validTo);
    if (validity !== undefined) throw invalidAt(certPath, `the certificate cannot be used: ${validity}`);
    // A kid given by the gateway is kept even when it differs from the computed one: the DCC's
    // COSE header carries the gateway's kid, so that is what scans look up.
    const given = optionalString(obj, 'kid', path, TRUST_LIMITS.maxIdChars);
    const kid = given === undefined ? kidOfDer(der) : dccKidText(given, child(path, 'kid'));
    const country = optionalString(obj, 'country', path, TRUST_LIMITS.maxIdChars);
    const signer: DccSigner = { kid, certificate, der: new Uint8Array(der) };
    if (country !== undefined) signer.country = country;
    const same = byKid.get(kid);
    if (same) same.push(signer);
    else byKid.set(kid, [signer]);
  });
  return byKid;
}

function loadRules(dcc: JsonObject): unknown[] {
  if (dcc.rules === undefined) return [];
  const list = expectArray(dcc.rules, 'dcc.rules', TRUST_LIMITS.maxDccRules);
  list.forEach((rule, i) => expectObject(rule, child('dcc.rules', i)));
  return list;
}

function loadValueSets(dcc: JsonObject): Record<string, string[]> {
  if (dcc.valueSets === undefined) return {};
  const sets = expectObject(dcc.valueSets, 'dcc.valueSets');
  const names = Object.keys(sets);
  if (names.length > TRUST_LIMITS.maxValueSets) {
    throw invalidAt('dcc.valueSets', `too many value sets (${names.length} > ${TRUST_LIMITS.maxValueSets})`);
  }
  const entries = names.map((name): [string, string[]] => {
    const path = child('dcc.valueSets', name);
    const codes = expectArray(sets[name], path, TRUST_LIMITS.maxValueSetCodes);
    codes.forEach((code, i) => expectString(code, child(path, i), TRUST_LIMITS.maxIdChars));
    return [name, codes as string[]];
  });
  // fromEntries defines own properties, so a set named "__proto__" cannot touch the prototype.
  return Object.fromEntries(entries);
}

function loadStatus(section: JsonObject): Map<string, IndexedStatus[]> {
  const byId = new Map<string, IndexedStatus[]>();
  if (section.entries === undefined) return byId;
  const list = expectArray(section.entries, 'status.entries', TRUST_LIMITS.maxStatusEntries);
  for (let i = 0; i < list.length; i++) {
    const path = child('status.entries', i);
    const obj = expectObject(list[i], path);
    expectKnownKeys(obj, path, BUNDLE_KEYS.statusEntry);
    const id = expectString(obj.id, child(path, 'id'), TRUST_LIMITS.maxIdChars);
    const status = expectString(obj.status, child(path, 'status'), 32);
    if (!STATUS_PATTERN.test(status)) {
      throw invalidAt(child(path, 'status'), 'only letters, digits, "_", "." and "-" are allowed (e.g. f0, f1, quarantine, blocked)');
    }
    const entry: StatusEntry = { id, status };
    let untilMs = Number.POSITIVE_INFINITY;
    if (obj.until !== undefined) {
      untilMs = expectIsoTime(obj.until, child(path, 'until'));
      entry.until = obj.until as string;
    }
    const same = byId.get(id);
    if (same) same.push({ entry, untilMs });
    else byId.set(id, [{ entry, untilMs }]);
  }
  return byId;
}
