/**
 * CKP1 verification: prefix → base45 → bounded zlib → COSE_Sign1 (ES256 only) → `prov` shape →
 * kid must be the carried rootKey's → signature under the carried rootKey → (when the kiosk pins
 * a root key) signature under the pinned key → CWT iat/exp. Never throws; never returns the card
 * text or code in a message (messages go to screens and logs).
 */
import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey } from 'node:crypto';
import { readBase64url } from '../../shared/base64url.js';
import { Base45Error, base45Decode } from '../cose/base45.js';
import { base64Text } from '../cose/base64.js';
import { COSE_ALG, CoseError, coseAlg, coseAlgRefusal, coseCriticalProblem, coseDecodeProblemText, coseKid, coseKidProblem, parseCoseSign1, sigStructure, verifySignature } from '../cose/cose.js';
import type { CoseSign1 } from '../cose/cose.js';
import { CwtClaimError, decodeCwtClaims, decodeCwtClaimsJsonAt } from '../cose/cwt.js';
import { CborDuplicateKeyError, CborError } from '../cose/cbor.js';
import type { CwtClaims } from '../cose/cwt.js';
import { InflateError, inflateBounded } from '../cose/inflate.js';
import { LIMITS } from '../types.js';
import { isWhitespaceCode } from '../../shared/whitespace.js';
import { normalizeScanText } from '../../core/normalize.js';
import { isValidTime, isoTime } from '../iso-time.js';
import { readPlainProvisioning, readProvisioning } from './schema.js';
import { CKP1_CLOCK_SKEW_MS, CKP1_PREFIX, PROVISIONING_LIMITS } from './types.js';
import type { CardCheck, CardRefusal, ProvisioningCard, VerifiedCard } from './types.js';

/** AIM symbology identifier (normalize.ts): `]`, a letter, a letter or digit. */
const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]$/;

/**
 * Whether scan text is a provisioning card (to route it away from the check-in pipeline): the
 * CKP1 prefix in any case, after whitespace and an AIM symbology identifier (`]Q1`), as
 * normalizeScanText strips them; verifyProvisioningCard reads every text this accepts.
 */
export function isProvisioningCard(text: string): boolean {
  // Asked of every scan: find where the content starts instead of making a trimmed copy, and
  // compare only when it starts with a C.
  let i = 0;
  while (i < text.length && isWhitespaceCode(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 0x5d && AIM_PREFIX.test(text.slice(i, i + 3))) {
    i += 3;
    while (i < text.length && isWhitespaceCode(text.charCodeAt(i))) i++;
  }
  if ((text.charCodeAt(i) | 0x20) !== 0x63) return false;
  return text.slice(i, i + CKP1_PREFIX.length).toUpperCase() === CKP1_PREFIX;
}

export interface CardVerifyOptions {
  now: Date;
  /** The root public key this kiosk already pins (EC P-256 JWK or KeyObject), if enrolled. */
  pinnedKey?: Record<string, unknown> | KeyObject;
}

/** DER prefix of an uncompressed P-256 SubjectPublicKeyInfo (RFC 5480), up to the point's 0x04. */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');

/**
 * The CKP1 kid of a P-256 key given as JWK coordinates: SHA-256 of the SPKI DER built directly
 * (exporting the DER from a KeyObject costs several times the signature check itself).
 */
function kidOfP256(x: string, y: string): string {
  return createHash('sha256')
    .update(Buffer.concat([P256_SPKI_PREFIX, readBase64url(x, 'rootKey.x'), readBase64url(y, 'rootKey.y')]))
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/** An imported key (by its JWK members) and, once asked for, its CKP1 kid: both depend on the key alone. */
interface ImportedKey {
  kty: unknown;
  crv: unknown;
  x: unknown;
  y: unknown;
  key: KeyObject;
  kid?: string;
}

/**
 * A few recently imported keys, oldest first (a kiosk sees the same root key again and again).
 * Found by comparing the members: a joined text key cost a concatenation and a hash of about a
 * hundred characters per scan.
 */
const imported: ImportedKey[] = [];
const IMPORTED_MAX = 4;

function importKey(jwk: Record<string, unknown>): ImportedKey | undefined {
  const { kty, crv, x, y } = jwk;
  for (const hit of imported) if (hit.x === x && hit.y === y && hit.kty === kty && hit.crv === crv) return hit;
  try {
    const entry: ImportedKey = { kty, crv, x, y, key: createPublicKey({ key: { kty, crv, x, y } as never, format: 'jwk' }) };
    if (imported.length >= IMPORTED_MAX) imported.shift();
    imported.push(entry);
    return entry;
  } catch {
    return undefined;
  }
}

function importJwk(jwk: Record<string, unknown>): KeyObject | undefined {
  return importKey(jwk)?.key;
}

const PROV_PATH = ['prov'] as const;
/** No CBOR tag has a meaning inside "prov": a tagged value sends the claims to the two-pass read. */
const NO_TAGS = (): undefined => undefined;

/**
 * The usual, valid card in one pass: the claims with "prov" built directly as plain JSON
 * (decodeCwtClaimsJsonAt) and read in place by readPlainProvisioning. Undefined, never a throw, for anything
 * else — malformed claims, a "prov" without a plain JSON form, or one readProvisioning refuses —
 * and the caller then reads the claims generically, which names the problem exactly as before
 * (readProvisioning's first error can depend on the order it walks members in, which differs
 * between a CBOR map and a JSON object for keys like "1"; a card it accepts is the same card).
 */
function readClaimsOnePass(payload: Uint8Array): { claims: CwtClaims; card: ProvisioningCard } | undefined {
  const r = decodeCwtClaimsJsonAt(payload, PROV_PATH, NO_TAGS);
  if (!r) return undefined;
  const card = readPlainProvisioning(r.json);
  return card ? { claims: r.claims, card } : undefined;
}

const refuse = (reason: CardRefusal, message: string): CardCheck => ({ ok: false, reason, message });

/** A CWT time claim (seconds) for a message: ISO text, or the number itself when no date can hold it. */
function claimTime(seconds: number): string {
  return isValidTime(seconds * 1000) ? isoTime(seconds * 1000) : `${seconds} s`;
}

/**
 * Verifies a scanned CKP1 card (the steps in the module comment). `raw` is the text as a scanner
 * delivered it: it is first normalized as every scan is (normalizeScanText: BOM, AIM prefix,
 * surrounding whitespace, and a card read in lower case — Caps Lock on a keyboard-wedge scanner —
 * upper-cased again), so every text isProvisioningCard routes here is read. Never throws.
 */
export function verifyProvisioningCard(raw: string, opts: CardVerifyOptions): CardCheck {
  const norm = normalizeScanText(raw);
  if (!norm.ok) {
    if (norm.reason === 'too-large') return refuse('too-large', `card text longer than ${LIMITS.maxTextChars} characters`);
    return refuse('unreadable', `not a readable provisioning card: ${norm.detail}`);
  }
  const text = norm.text;
  if (!isProvisioningCard(text)) return refuse('unreadable', 'not a provisioning card (missing CKP1: prefix)');
  let msg: CoseSign1;
  try {
    const compressed = base45Decode(text.slice(CKP1_PREFIX.length), LIMITS.maxTextChars);
    msg = parseCoseSign1(inflateBounded(compressed, PROVISIONING_LIMITS.maxInflatedBytes));
  } catch (err) {
    if (err instanceof InflateError && err.code === 'too-large') return refuse('too-large', `card content larger than ${PROVISIONING_LIMITS.maxInflatedBytes} bytes`);
    // Say what failed (a line break in the text, bytes after the compressed data …): a technician
    // can then fix the scanner. The problem texts name offsets, counts and keys, never content.
    const why = err instanceof Base45Error || err instanceof InflateError ? err.message : err instanceof CborError || err instanceof CoseError ? coseDecodeProblemText(err) : undefined;
    return refuse('unreadable', `the card is damaged or not a provisioning card (decoding failed${why === undefined ? '' : `: ${why}`})`);
  }
  if (coseAlg(msg) !== COSE_ALG.ES256) return refuse('bad-signature', `card not signed with ES256: ${coseAlgRefusal(msg, 'ES256 only')}`);
  const critical = coseCriticalProblem(msg);
  if (critical) return refuse('bad-signature', `card refused: ${critical}`);
  const kidBytes = coseKid(msg);
  if (!kidBytes) return refuse('bad-signature', `card carries no key id: ${coseKidProblem(msg) ?? 'none in its header'}`);
  const kid = base64Text(kidBytes);

  let claims: CwtClaims;
  let card: ProvisioningCard;
  const fast = readClaimsOnePass(msg.payload);
  if (fast) {
    ({ claims, card } = fast);
  } else {
    try {
      claims = decodeCwtClaims(msg.payload);
    } catch (err) {
      // A claim of the wrong type or a key given twice: decoded, but the content is wrong.
      if (err instanceof CwtClaimError || err instanceof CborDuplicateKeyError) return refuse('invalid', `card content invalid: ${err.message}`);
      const why = err instanceof CborError || err instanceof CoseError ? `: ${err.message}` : '';
      return refuse('unreadable', `card claims are not a CBOR map${why}`);
    }
    const read = readProvisioning(claims.claims.get('prov'));
    if (!read.ok) return refuse('invalid', `card content invalid: ${read.detail}`);
    card = read.card;
  }
  const carried = importKey(card.rootKey as unknown as Record<string, unknown>);
  if (!carried) return refuse('invalid', 'card content invalid: prov.rootKey is not a P-256 point');
  const data = sigStructure(msg.protectedBytes, msg.payload);
  carried.kid ??= kidOfP256(card.rootKey.x, card.rootKey.y);
  if (carried.kid !== kid) return refuse('bad-signature', 'forged card: its key id does not match the root key it carries');
  if (!verifySignature(COSE_ALG.ES256, carried.key, data, msg.signature)) {
    return refuse('bad-signature', 'forged card: the signature does not verify under the root key it carries');
  }
  if (opts.pinnedKey !== undefined) {
    const pinned = 'asymmetricKeyType' in opts.pinnedKey ? (opts.pinnedKey as KeyObject) : importJwk(opts.pinnedKey as Record<string, unknown>);
    if (!pinned || !verifySignature(COSE_ALG.ES256, pinned, data, msg.signature)) {
      return refuse('wrong-root-key', 'card signed by another central server than the one this kiosk trusts');
    }
  }
  if (claims.iss !== card.url) return refuse('invalid', 'card content invalid: iss differs from prov.url');
  if (claims.iat === undefined || claims.exp === undefined) return refuse('invalid', 'card content invalid: iat or exp missing');
  if (claims.exp <= claims.iat) {
    return refuse('invalid', `card content invalid: it expires (exp ${claimTime(claims.exp)}) before or when it was issued (iat ${claimTime(claims.iat)})`);
  }
  if (claims.exp - claims.iat > PROVISIONING_LIMITS.maxValidHours * 3600) {
    return refuse('invalid', `card content invalid: valid for more than ${PROVISIONING_LIMITS.maxValidHours} hours`);
  }
  const now = opts.now.getTime();
  if (claims.exp * 1000 <= now) return refuse('expired', `card expired at ${isoTime(claims.exp * 1000)}; ask for a new one`);
  if (claims.iat * 1000 > now + CKP1_CLOCK_SKEW_MS) return refuse('not-yet-valid', 'card issued in the future: check the kiosk clock');
  if (claims.nbf !== undefined && claims.nbf * 1000 > now + CKP1_CLOCK_SKEW_MS) {
    return refuse('not-yet-valid', isValidTime(claims.nbf * 1000) ? `card not valid before ${isoTime(claims.nbf * 1000)}` : 'card not valid yet');
  }
  const verified = { url: card.url, code: card.code, rootKey: card.rootKey, checkpoint: card.checkpoint } as VerifiedCard;
  // Every ProvisioningCard member, optional ones only when present, in the order readProvisioning
  // sets them (an object spread here cost about a microsecond per scan).
  if (card.direction !== undefined) verified.direction = card.direction;
  if (card.profile !== undefined) verified.profile = card.profile;
  if (card.config !== undefined) verified.config = card.config;
  verified.kid = kid;
  verified.issuedAt = isoTime(claims.iat * 1000);
  verified.expiresAt = isoTime(claims.exp * 1000);
  return { ok: true, card: verified };
}
