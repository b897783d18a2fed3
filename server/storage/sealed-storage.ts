/**
 * Identity fields at rest on the central server, for every backend: a `CentralStorage` wrapper
 * that seals each check-in's `subject` before the backend sees it and opens it again on the way
 * out, so the SQLite file, a PostgreSQL dump or a backup holds no name, ID number or birth date in
 * clear.
 *
 * What the backend stores instead of the subject: `{"sealed":"v1:<keyId>:<base64>","idNo":H,"altId":H}`
 * where the base64 is `IV (12) | AES-256-GCM ciphertext of the subject JSON | tag (16)` with the
 * check-in id as additional authenticated data, and H = hex HMAC-SHA-256 of the ID number under a
 * key derived from the data key (so the backend's `id_no`/`alt_id` tracing columns hold keyed
 * hashes, never ID numbers, and tracing still finds a person by exact ID). Verdicts, times,
 * checkpoints and formats stay in clear for statistics.
 *
 * The data key is `data-key.json` (0600) in the server's data dir, the same file format as the
 * kiosk's. It covers a copied database or dump, a backup, a PostgreSQL server administered by
 * others; it does not cover whoever holds the data dir too. Several nodes sharing one PostgreSQL
 * database need the same key file.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Logger } from '../../src/shared/ports.js';
import type { CheckIn, Subject } from '../../src/shared/types.js';
import { DataKeyError, dataKeyPath, fileDataKey, readDataKeyFile } from '../../src/store/data-key.js';
import { DataKeyRefusedError } from './errors.js';
import type { CentralStorage, NearbyQuery } from './types.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Digits of the key id in a sealed record: the start of the key's fingerprint. */
const KEY_ID_DIGITS = 16;

/** The stored stand-in for a subject. */
interface SealedSubject {
  sealed: string;
  idNo?: string;
  altId?: string;
}

/** Keys derived from the server's data key (HKDF-SHA-256, RFC 5869). */
export class CentralSeal {
  /**
   * What the database records of the key (hex SHA-256 of a value derived from it under its own
   * label, so it says nothing about the sealing or hashing keys): 64 digits.
   */
  readonly fingerprint: string;
  /** The fingerprint's first 16 digits, carried by every sealed record (`v1:<keyId>:…`). */
  readonly keyId: string;
  private readonly sealKey: Buffer;
  private readonly traceKey: Buffer;

  constructor(dataKey: Buffer) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), info, 32));
    this.sealKey = derive('checkpoint-kiosk central identity seal v1');
    this.traceKey = derive('checkpoint-kiosk central trace hash v1');
    this.fingerprint = createHash('sha256').update(derive('checkpoint-kiosk central key id v1')).digest('hex');
    this.keyId = this.fingerprint.slice(0, KEY_ID_DIGITS);
  }

  /** Whether `recorded` (a full fingerprint, or the key id of an older database) names this key. */
  matches(recorded: string): boolean {
    return recorded === this.fingerprint || (recorded.length === KEY_ID_DIGITS && recorded === this.keyId);
  }

  /** Hex HMAC of an ID number: what the tracing columns hold and what a trace query looks up. */
  traceHash(idNo: string): string {
    return createHmac('sha256', this.traceKey).update(idNo, 'utf8').digest('hex');
  }

  /** The check-in as the backend stores it. */
  seal(c: CheckIn): CheckIn {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(Buffer.from(c.id, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(c.subject), 'utf8'), cipher.final()]);
    const sealed: SealedSubject = { sealed: `v1:${this.keyId}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}` };
    if (c.subject.idNo) sealed.idNo = this.traceHash(c.subject.idNo);
    if (c.subject.altId) sealed.altId = this.traceHash(c.subject.altId);
    return { ...c, subject: sealed as unknown as Subject };
  }

  /** The check-in as it was received. A record stored before sealing existed passes unchanged. */
  open(c: CheckIn): CheckIn {
    const s = c.subject as unknown as Partial<SealedSubject>;
    if (typeof s.sealed !== 'string') return c;
    return { ...c, subject: this.openSubject(s.sealed, c.id) };
  }

  /** Whether a stored check-in is sealed, and with which key id. */
  static keyIdOf(c: CheckIn): string | undefined {
    const s = (c.subject as unknown as Partial<SealedSubject>).sealed;
    return typeof s === 'string' ? s.split(':')[1] : undefined;
  }

  private openSubject(text: string, id: string): Subject {
    const [v, kid, b64] = text.split(':');
    if (v !== 'v1' || b64 === undefined) throw new Error(`check-in ${id}: unknown sealed subject layout`);
    if (kid !== this.keyId) throw new Error(`check-in ${id}: sealed with data key ${kid}, data-key.json holds ${this.keyId}`);
    const raw = Buffer.from(b64, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      const clear = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(clear.toString('utf8')) as Subject;
    } catch {
      throw new Error(`check-in ${id}: sealed subject failed authentication (damaged record or wrong key)`);
    }
  }
}

/** The first 16 digits of a fingerprint: enough to tell keys apart in a message. */
export function fingerprintPrefix(fingerprint: string): string {
  return fingerprint.slice(0, KEY_ID_DIGITS);
}

/**
 * The refusal for a node or command without the right data key on a database sealed with one:
 * `verb` "add" when no --data-dir was given, "use" when the one given holds no or another key.
 */
export function dataKeyNeeded(recorded: string, verb: 'use' | 'add'): string {
  return `this database seals identities with data key ${fingerprintPrefix(recorded)}; ${verb} --data-dir DIR holding that data-key.json (copy it from the first node)`;
}

/**
 * Loads the data key of `dataDir` and checks it against the one the database records
 * (`dataKeyFingerprint`, or on an older SQLite database the key id of its first sealed record),
 * then records it when none is. A key is created only for a database no key has sealed yet. Throws
 * DataKeyRefusedError (PostgreSQL: the key file is missing, or holds another key) or an Error
 * naming the file (SQLite, as before), before anything is written to the database.
 */
export async function loadCentralSeal(inner: CentralStorage, dataDir: string, log?: Pick<Logger, 'warn'>): Promise<CentralSeal> {
  let recorded = await inner.dataKeyFingerprint();
  if (recorded === undefined) {
    // A database sealed before fingerprints were recorded: its first record says (SQLite seals
    // all or none; PostgreSQL's migration v6 recorded the key id already).
    for await (const c of inner.exportCheckIns()) {
      recorded = CentralSeal.keyIdOf(c);
      break;
    }
  }
  const shared = inner.backend === 'postgres';
  if (shared && recorded !== undefined && readDataKeyFile(dataKeyPath(dataDir), log) === undefined) {
    // Never a new key here: it would seal this node's rows apart from every other node's.
    throw new DataKeyRefusedError(`${dataKeyNeeded(recorded, 'use')}; ${dataKeyPath(dataDir)} does not exist (no new key is made for a sealed database)`);
  }
  let key: Buffer;
  try {
    key = fileDataKey(dataDir, log).load({ create: recorded === undefined });
  } catch (err) {
    if (err instanceof DataKeyError) throw new Error(err.message.replace('kiosk.db beside it', 'the central database'), { cause: err });
    throw err;
  }
  const seal = new CentralSeal(key);
  const mismatch = (other: string) =>
    shared
      ? new DataKeyRefusedError(`${dataKeyNeeded(other, 'use')}; ${dataKeyPath(dataDir)} holds data key ${seal.keyId}`)
      : new Error(`the data key in ${dataDir}/data-key.json (${seal.keyId}) is not the one the stored check-ins were sealed with (${fingerprintPrefix(other)}): restore the right data-key.json`);
  if (recorded !== undefined && !seal.matches(recorded)) throw mismatch(recorded);
  // Two nodes with new keys on a fresh database: the first to record wins, the other is refused.
  const bound = await inner.bindDataKey(seal.fingerprint, recorded === undefined);
  if (!seal.matches(bound)) throw mismatch(bound);
  return seal;
}

/**
 * `inner` with sealing on the way in and opening on the way out. Records stored in clear (before
 * sealing existed, or by a node without the key before this one bound it) are sealed in place
 * first (`sealLegacyCheckIns`: batches, resumable after a crash). Tracing looks a person up by
 * keyed hash and by clear ID number both, so a clear record written meanwhile is never missed.
 */
export async function sealedStorage(inner: CentralStorage, dataDir: string, log?: Pick<Logger, 'warn'>): Promise<CentralStorage> {
  const seal = await loadCentralSeal(inner, dataDir, log);
  await inner.sealLegacyCheckIns((c) => (CentralSeal.keyIdOf(c) === undefined ? seal.seal(c) : undefined));
  const isPerson = (c: CheckIn, idNo: string) => c.subject.idNo === idNo || c.subject.altId === idNo;
  const overrides: Partial<CentralStorage> = {
    ingestCheckIns: (sender, checkins, receivedAt) => inner.ingestCheckIns(sender, checkins.map((c) => seal.seal(c)), receivedAt),
    async *exportCheckIns(range) {
      for await (const c of inner.exportCheckIns(range)) yield seal.open(c);
    },
    checkInsOfPerson: async (idNo, fromMs, toMs, limit) => {
      const byHash = await inner.checkInsOfPerson(seal.traceHash(idNo), fromMs, toMs, limit);
      const inClear = await inner.checkInsOfPerson(idNo, fromMs, toMs, limit);
      if (inClear.length === 0) return byHash.map((c) => seal.open(c));
      const seen = new Set(byHash.map((c) => c.id));
      const merged = [...byHash, ...inClear.filter((c) => !seen.has(c.id))].sort((a, b) => Date.parse(a.scannedAt) - Date.parse(b.scannedAt));
      return merged.slice(0, limit).map((c) => seal.open(c));
    },
    checkInsNear: async (q: NearbyQuery) =>
      (await inner.checkInsNear({ ...q, excludePerson: seal.traceHash(q.excludePerson) })).map((c) => seal.open(c)).filter((c) => !isPerson(c, q.excludePerson)),
  };
  return overlayStorage(inner, overrides);
}

/** `inner` with some methods replaced; everything else goes straight to the backend, bound to it. */
export function overlayStorage(inner: CentralStorage, overrides: Partial<CentralStorage>): CentralStorage {
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof CentralStorage];
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
