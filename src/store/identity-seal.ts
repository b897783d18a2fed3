/**
 * Identity fields at rest: a check-in's whole `subject` (name, ID numbers, birth date, sex and any
 * field added later) is stored sealed with AES-256-GCM (NIST SP 800-38D) in the `subject` column
 * as a BLOB; verdicts, times, formats and reasons stay in clear columns.
 *
 * Blob layout (version 1): `0x01 | IV (12 bytes, random) | ciphertext | tag (16 bytes)`, with the
 * check-in id as additional authenticated data, so a sealed subject cannot be moved to another row
 * unnoticed. A TEXT value in the column is a subject written before schema v5 (clear JSON): the
 * sealing pass below turns those into blobs, in batches, after the v5 migration.
 *
 * Two keys are derived from the data key (data-key.ts) with HKDF-SHA-256 (RFC 5869): the sealing
 * key and the duplicate pepper. The store's duplicate hash is HMAC(HMAC(pepper, salt), key) from
 * schema v6 on (HMAC(pepper, HMAC(salt, key)) before): the per-database salt lives in kiosk.db, the
 * pepper does not, so a copied database cannot be searched for a known ID number by hashing guesses.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, hkdfSync, randomBytes, type CipherGCM, type KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Subject } from '../shared/types.js';
import { DATA_KEY_BYTES } from './data-key.js';
import { KeyedPool } from './keyed-pool.js';

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * Sealing ciphers are set up this many at a time (keyed-pool.ts); the IVs of a batch come from one
 * randomBytes call. About 1 KiB of OpenSSL state each.
 */
const POOL_BATCH = 32;

/** A sealing cipher set up ahead, with the random IV it was set up with. */
interface ReadyCipher {
  cipher: CipherGCM;
  iv: Buffer;
}

/** Settings keys of the store (reserved prefix `store.`). */
export const SEAL_SETTINGS = {
  /** Hex fingerprint of the data key this database is sealed with. */
  keyId: 'store.dataKeyId',
  /** Present while rows written before v5 still hold a clear subject. */
  pending: 'store.sealPending',
} as const;

export class IdentitySeal {
  /** 16 hex chars naming the data key (not secret: a one-way function of it). */
  readonly keyId: string;
  private readonly sealKey: KeyObject;
  private readonly pepperKey: KeyObject;
  private readonly ciphers: KeyedPool<ReadyCipher>;

  constructor(dataKey: Buffer) {
    if (dataKey.length !== DATA_KEY_BYTES) throw new RangeError(`IdentitySeal: data key must be ${DATA_KEY_BYTES} bytes`);
    // Key objects: OpenSSL gets the key without a copy from a JS buffer on every set-up.
    const sealKey = createSecretKey(derive(dataKey, 'checkpoint-kiosk identity seal v1'));
    const pepperKey = createSecretKey(derive(dataKey, 'checkpoint-kiosk duplicate pepper v1'));
    this.sealKey = sealKey;
    this.pepperKey = pepperKey;
    this.keyId = createHash('sha256').update(derive(dataKey, 'checkpoint-kiosk key id v1')).digest('hex').slice(0, 16);
    this.ciphers = new KeyedPool((n) => {
      const ivs = randomBytes(n * IV_BYTES);
      return Array.from({ length: n }, (_, i) => {
        const iv = ivs.subarray(i * IV_BYTES, (i + 1) * IV_BYTES);
        return { cipher: createCipheriv('aes-256-gcm', sealKey, iv), iv };
      });
    }, POOL_BATCH);
  }

  /** Seals a subject for the check-in `checkInId`: a fresh cipher and a fresh random IV each time. */
  seal(subject: Subject, checkInId: string): Buffer {
    const { cipher, iv } = this.ciphers.take();
    cipher.setAAD(Buffer.from(checkInId, 'utf8'));
    const body = cipher.update(JSON.stringify(subject), 'utf8');
    const tail = cipher.final(); // empty for GCM (a stream mode); copied all the same
    const tag = cipher.getAuthTag();
    // One allocation for the blob: VERSION | IV | ciphertext | tag.
    const blob = Buffer.allocUnsafe(1 + IV_BYTES + body.length + tail.length + TAG_BYTES);
    blob[0] = VERSION;
    iv.copy(blob, 1);
    body.copy(blob, 1 + IV_BYTES);
    tail.copy(blob, 1 + IV_BYTES + body.length);
    tag.copy(blob, 1 + IV_BYTES + body.length + tail.length);
    return blob;
  }

  /**
   * Opens what the `subject` column holds: a sealed blob, or (before the sealing pass has reached
   * the row) clear JSON text. Throws RangeError when a blob fails authentication (wrong key, a
   * blob moved from another row, a damaged file).
   */
  open(value: Buffer | string, checkInId: string): Subject {
    if (typeof value === 'string') return JSON.parse(value) as Subject;
    return JSON.parse(this.unseal(value, checkInId).toString('utf8')) as Subject;
  }

  /**
   * The subject's JSON text exactly as it was sealed (JSON.stringify of the Subject), without
   * parsing it: the forwarder sends it on as it is. A clear TEXT value is returned unchanged.
   * Throws RangeError like open().
   */
  openText(value: Buffer | string, checkInId: string): string {
    if (typeof value === 'string') return value;
    return this.unseal(value, checkInId).toString('utf8');
  }

  /**
   * The key of the duplicate hash from schema v6 on: HMAC-SHA-256(pepper, salt), derived once per
   * store. The stored hash is one HMAC-SHA-256 of the key text under it (dedup-hash.ts
   * keyedHasher): keyed by both the per-database salt and the pepper, which never enters the
   * database, like the v1 hash below, at one HMAC per scan instead of two.
   */
  duplicateKey(salt: Buffer): KeyObject {
    return createSecretKey(createHmac('sha256', this.pepperKey).update(salt).digest());
  }

  /**
   * The v1 duplicate hash (schema v5) for a salted hash: HMAC(pepper, HMAC(salt, key)), see the
   * file comment. 32 bytes. Still written by the sealing pass for rows from before v5, and looked
   * up for scans whose duplicate window reaches back to rows written before v6.
   */
  pepper(saltedHash: Buffer): Buffer {
    return createHmac('sha256', this.pepperKey).update(saltedHash).digest();
  }

  /** Authenticates and decrypts a version-1 blob; RangeError on a wrong layout, key or AAD. */
  private unseal(value: Buffer, checkInId: string): Buffer {
    if (value.length < 1 + IV_BYTES + TAG_BYTES || value[0] !== VERSION) throw new RangeError('sealed subject: unknown layout');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, value.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(Buffer.from(checkInId, 'utf8'));
    decipher.setAuthTag(value.subarray(value.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(value.subarray(1 + IV_BYTES, value.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new RangeError('sealed subject: authentication failed (wrong data key or damaged record)');
    }
  }
}

function derive(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
}

/**
 * The key id this database was bound to, or undefined for a database never bound (new, or
 * created before v5).
 */
export function boundKeyId(db: Database.Database): string | undefined {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(SEAL_SETTINGS.keyId) as string | undefined) ?? undefined;
}

export function bindKeyId(db: Database.Database, keyId: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(SEAL_SETTINGS.keyId, keyId);
}

export interface SealPassResult {
  sealed: number;
  batches: number;
}

/**
 * Seals every subject still in clear (rows written before v5) and peppers its duplicate hash, in
 * batches of `batchSize` rows, one IMMEDIATE transaction each: a crash (kill -9, power cut) loses
 * at most the batch in flight, which rolls back whole, and the next open carries on from where the
 * last committed batch left off (a row is clear text exactly until its batch commits). When no clear
 * row is left the pending marker is removed, the file vacuumed and the WAL folded back and
 * truncated, so the clear text written before the upgrade is gone from disk too.
 */
export function sealClearRows(db: Database.Database, seal: IdentitySeal, opts: { batchSize?: number; afterBatch?: (n: number) => void } = {}): SealPassResult {
  const pending = db.prepare('SELECT 1 FROM settings WHERE key = ?').pluck().get(SEAL_SETTINGS.pending);
  if (pending === undefined) return { sealed: 0, batches: 0 };
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 500));
  const select = db.prepare(
    `SELECT seq, id, subject, dedup_hash FROM checkins WHERE seq > ? AND typeof(subject) = 'text' ORDER BY seq LIMIT ${batchSize}`,
  );
  const update = db.prepare('UPDATE checkins SET subject = ?, dedup_hash = ? WHERE seq = ?');
  type Row = { seq: number; id: string; subject: string; dedup_hash: Buffer | null };
  const batch = db.transaction((after: number): Row[] => {
    const rows = select.all(after) as Row[];
    for (const r of rows) {
      update.run(seal.seal(JSON.parse(r.subject) as Subject, r.id), r.dedup_hash === null ? null : seal.pepper(r.dedup_hash), r.seq);
    }
    return rows;
  }).immediate;
  let after = 0;
  let sealed = 0;
  let batches = 0;
  for (;;) {
    const rows = batch(after);
    if (rows.length === 0) break;
    sealed += rows.length;
    batches++;
    after = rows[rows.length - 1]!.seq;
    opts.afterBatch?.(sealed);
    if (rows.length < batchSize) break;
  }
  // secure_delete zeroes freed cells, but a page rebuilt around larger (sealed) cells can keep old
  // bytes in its unused gap: VACUUM rewrites every page from scratch (once, after an upgrade; the
  // marker goes only after it, so a crash during VACUUM repeats it).
  db.exec('VACUUM');
  db.prepare('DELETE FROM settings WHERE key = ?').run(SEAL_SETTINGS.pending);
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { sealed, batches };
}
