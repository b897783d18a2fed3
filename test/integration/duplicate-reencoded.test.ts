/**
 * The duplicate window knows a signed credential by what was signed, not by the bytes on its QR
 * code (docs/POLICY.md, "Duplicates"), on a real kiosk.db through the real pipeline: the same EU
 * DCC, CKD1 declaration or SMART Health Card re-encoded — re-compressed, untagged, its kid moved,
 * its ECDSA signature in the other valid form or made afresh, the card in the chunked form — is a
 * re-read of the same credential and folds into its check-in. Another credential of the same
 * person, the same content signed by another signer, a credential whose verdict changed and a
 * reading whose signature does not verify are check-ins of their own. The identity QRs fold over
 * the spellings their fields allow. A check-in a kiosk recorded before the upgrade (keyed by the QR
 * text) still takes a re-read of that text.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KioskService } from '../../src/app/kiosk.js';
import { contentKey, type Outcome } from '../../src/core/pipeline.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy.js';
import { silentLogger, systemTimers, uuidv7Source } from '../../src/core/system.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, parseCoseSign1, signCoseSign1 } from '../../src/credentials/cose/cose.js';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import { encodeShcNumeric, shcPayload, signShcJws } from '../../src/credentials/shc/index.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import type { StatusEntry } from '../../src/shared/trust.js';
import type { ScanEvent } from '../../src/shared/types.js';
import { openStore } from '../../src/store/index.js';
import { fileDataKey } from '../../src/store/data-key.js';
import { DEDUP_SALT_SETTING, DEDUP_TEXT_KEYS_UNTIL_SETTING } from '../../src/store/dedup-hash.js';
import { issueHc1, makeSigner, sampleVaccination, type TestSigner } from '../helpers/dcc-issuer.js';
import { ISSUER, sampleDeclaration } from '../helpers/declaration.js';
import { SHC_EXAMPLE_ISS, declarationIssuerEntry, newEcKey, shcExampleFhirBundle, shcExamplePublicJwks, shcExampleSigningKeys } from '../helpers/keys.js';
import { rawShc } from '../helpers/shc.js';
import { coseOf, coseOtherEcdsaForm, coseText, flipLastBit, otherEcdsaForm, shcJws, shcWithSignature, untagged } from '../helpers/reencode.js';

/** Inside the test DCC's iat..exp (2022), its signer's validity, after the example card's last dose. */
const T0 = Date.parse('2022-10-01T08:00:00Z');
const MINUTE = 60_000;

const dccSigner = makeSigner({ cn: 'DSC test 1' });
const dccOtherSigner = makeSigner({ cn: 'DSC test 2' });
const ckd1Key = newEcKey();
const shcKey = shcExampleSigningKeys()[0]!;

/** The trust bundle: both DCC signers, the SMART example issuer, the CKD1 issuer, and `status`. */
function trust(status: StatusEntry[] = []): TrustIndex {
  const certificate = (s: TestSigner) => Buffer.from(s.certificate.raw).toString('base64');
  return parseTrustBundle({
    version: 1,
    issuedAt: '2022-05-01T00:00:00Z',
    dcc: { signers: [{ certificate: certificate(dccSigner) }, { certificate: certificate(dccOtherSigner) }] },
    shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, name: 'SMART example issuer', jwks: shcExamplePublicJwks() }] },
    declaration: { issuers: [declarationIssuerEntry(ckd1Key)] },
    status: { entries: status },
  });
}

/** One signed format: a credential, its re-encodings, and the readings that must not fold into it. */
interface SignedCase {
  format: 'dcc' | 'ckd1' | 'shc';
  original: string;
  /** The same credential, re-encoded: each must fold into the original's check-in. */
  reencoded: { kind: string; text: string }[];
  /** Another credential of the same person, from the same signer. */
  otherOfSamePerson: string;
  /** The original's payload signed by another trusted signer (another key; DCC only). */
  otherSigner?: string;
  /** A re-encoding whose signature no longer verifies. */
  badSignature: string;
  /** A status-list entry that turns the original's verdict into refer (none for SHC). */
  watch?: StatusEntry;
}

function dccCase(): SignedCase {
  const original = issueHc1({ dcc: sampleVaccination(), signer: dccSigner });
  const cose = coseOf(original, 'HC1:');
  const { payload } = parseCoseSign1(cose);
  const kid = new Uint8Array(Buffer.from(dccSigner.kid, 'base64'));
  const key = dccSigner.privateKey;
  const booster = sampleVaccination();
  const [dose] = booster.v as { [key: string]: CborEncodable }[];
  booster.v = [{ ...dose, dn: 3, sd: 3, dt: '2022-03-01', ci: 'URN:UVCI:01:VN:TEST0002#Y' }];
  return {
    format: 'dcc',
    original,
    reencoded: [
      { kind: 'zlib level 1 instead of 6', text: coseText('HC1:', cose, 1) },
      { kind: 'zlib stored blocks (level 0)', text: coseText('HC1:', cose, 0) },
      { kind: 'without the COSE tag 18', text: coseText('HC1:', untagged(cose)) },
      { kind: 'kid in the unprotected header (re-signed with the same key)', text: coseText('HC1:', signCoseSign1({ alg: COSE_ALG.ES256, key, payload, unprotected: new Map([[4, kid]]) })) },
      { kind: 'its signature in the other ECDSA form (r, n − s)', text: coseText('HC1:', coseOtherEcdsaForm(cose)) },
      { kind: 'a fresh ECDSA signature with the same key', text: coseText('HC1:', signCoseSign1({ alg: COSE_ALG.ES256, key, kid, payload })) },
    ],
    otherOfSamePerson: issueHc1({ dcc: booster, signer: dccSigner }),
    otherSigner: issueHc1({ dcc: sampleVaccination(), signer: dccOtherSigner }),
    badSignature: coseText('HC1:', flipLastBit(cose), 1),
    watch: { id: 'URN:UVCI:01:VN:TEST0001#X', status: 'f1' },
  };
}

function ckd1Case(): SignedCase {
  const signer = { privateKey: ckd1Key.privateKey, kid: ckd1Key.declarationKid };
  const decl = sampleDeclaration();
  const original = issueDeclaration(decl, signer, { iss: ISSUER, now: new Date(T0 - 60 * MINUTE) });
  const cose = coseOf(original, 'CKD1:');
  const { payload } = parseCoseSign1(cose);
  const kid = new Uint8Array(Buffer.from(ckd1Key.declarationKid, 'base64'));
  const key = ckd1Key.privateKey;
  const nextTrip = { ...decl, id: '0190d6b2-7c1e-7000-8000-000000000002', trip: { from: 'Hà Nội', to: 'Huế', purpose: 'family' } };
  return {
    format: 'ckd1',
    original,
    reencoded: [
      { kind: 'zlib level 6 instead of 9', text: coseText('CKD1:', cose, 6) },
      { kind: 'without the COSE tag 18', text: coseText('CKD1:', untagged(cose), 9) },
      { kind: 'kid in the unprotected header (re-signed by the same issuer)', text: coseText('CKD1:', signCoseSign1({ alg: COSE_ALG.ES256, key, payload, unprotected: new Map([[4, kid]]) }), 9) },
      { kind: 'its signature in the other ECDSA form (r, n − s)', text: coseText('CKD1:', coseOtherEcdsaForm(cose), 9) },
      { kind: 'a fresh ECDSA signature by the same issuer', text: coseText('CKD1:', signCoseSign1({ alg: COSE_ALG.ES256, key, kid, payload }), 9) },
    ],
    otherOfSamePerson: issueDeclaration(nextTrip, signer, { iss: ISSUER, now: new Date(T0 - 60 * MINUTE) }),
    badSignature: coseText('CKD1:', flipLastBit(cose), 9),
    watch: { id: decl.id, status: 'quarantine' },
  };
}

/** The example FHIR bundle with its first Immunization only: another card of the same patient. */
function firstDoseBundle(): Record<string, unknown> {
  const bundle = shcExampleFhirBundle();
  const entries = bundle.entry as { resource: { resourceType: string } }[];
  const firstImmunization = entries.findIndex((e) => e.resource.resourceType === 'Immunization');
  return { ...bundle, entry: entries.filter((e, i) => e.resource.resourceType !== 'Immunization' || i === firstImmunization) };
}

async function shcCase(): Promise<SignedCase> {
  const signer = { privateKey: shcKey.privateKey, kid: shcKey.kid };
  const payload = shcPayload({ iss: SHC_EXAMPLE_ISS, nbf: T0 / 1000 - 86_400, fhirBundle: shcExampleFhirBundle() });
  const original = encodeShcNumeric(await signShcJws(payload, signer));
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  return {
    format: 'shc',
    original,
    reencoded: [
      { kind: 'the one-chunk card in the chunked form shc:/1/1/', text: `shc:/1/1/${original.slice('shc:/'.length)}` },
      { kind: 'the prefix upper-cased (QR alphanumeric mode)', text: `SHC:/${original.slice('shc:/'.length)}` },
      { kind: 'its signature in the other ECDSA form (r, n − s)', text: shcWithSignature(original, otherEcdsaForm) },
      { kind: 'a fresh ECDSA signature by the same key', text: encodeShcNumeric(await signShcJws(payload, signer)) },
      { kind: 'the payload deflated at level 1 (re-signed by the same key)', text: await rawShc(deflateRawSync(json, { level: 1 }), { zip: 'DEF', kid: shcKey.kid }, shcKey.privateKey) },
    ],
    otherOfSamePerson: encodeShcNumeric(await signShcJws(shcPayload({ iss: SHC_EXAMPLE_ISS, nbf: T0 / 1000 - 86_400, fhirBundle: firstDoseBundle() }), signer)),
    badSignature: shcWithSignature(original, flipLastBit),
  };
}

// Built before the tests are collected, so each re-encoding names its own test.
const CASES: readonly SignedCase[] = [dccCase(), ckd1Case(), await shcCase()];

let dir: string;
let now: number;
const clock = { now: () => now };
const running: KioskService[] = [];

function kiosk(opts: { trust?: TrustIndex; policy?: Policy } = {}): KioskService {
  const k = new KioskService({
    store: openStore({ dir, logger: silentLogger, clock }),
    scanners: [],
    trust: opts.trust ?? trust(),
    policy: opts.policy ?? DEFAULT_POLICY,
    config: { deviceId: 'dev-1', checkpointId: 'HN-01', direction: 'in' },
    clock,
    timers: systemTimers,
    ids: uuidv7Source(clock),
    logger: silentLogger,
  });
  running.push(k);
  return k;
}

const scan = (text: string): ScanEvent => ({ source: 'sim', deviceId: 'sim:test', text, receivedAt: now });

/** Submits `text` 30 s after the previous scan. */
async function read(k: KioskService, text: string): Promise<Outcome> {
  now += 30_000;
  const outcome = await k.submit(scan(text));
  if (!outcome) throw new Error('scan not recorded');
  return outcome;
}

function checkInId(o: Outcome): string {
  if (o.kind !== 'checkin') throw new Error(`expected a check-in, got a ${o.kind}`);
  return o.checkIn.id;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-dup-reenc-'));
  now = T0;
});
afterEach(async () => {
  for (const k of running.splice(0)) await k.stop();
  rmSync(dir, { recursive: true, force: true });
});

const byFormat = (format: SignedCase['format']): SignedCase => CASES.find((c) => c.format === format)!;

describe.each(CASES)('$format: the same signed credential re-encoded', (c) => {
  // One case per re-encoding: each text differs from the original, so keyed by the QR text it
  // would be a check-in of its own.
  for (const variant of c.reencoded) {
    it(`${variant.kind}: folds into the accepted check-in of the credential as issued`, async () => {
      expect(variant.text).not.toBe(c.original);
      const k = kiosk();
      const first = await read(k, c.original);
      expect(first).toMatchObject({ kind: 'checkin', verdict: { verdict: 'accept' } });
      const again = await read(k, variant.text);
      expect(again).toMatchObject({ kind: 'duplicate', of: checkInId(first), verdict: { verdict: 'accept' } });
      expect([...k.store.all()]).toHaveLength(1);
    });
  }

  it('every re-encoding read after another folds into the one check-in, in any order', async () => {
    const k = kiosk();
    const texts = c.reencoded.map((v) => v.text).reverse();
    const first = await read(k, texts[0]!);
    for (const text of [...texts.slice(1), c.original]) expect(await read(k, text)).toMatchObject({ kind: 'duplicate', of: checkInId(first) });
    expect([...k.store.all()]).toHaveLength(1);
  });

  it('another credential of the same person, from the same signer, is a check-in of its own', async () => {
    const k = kiosk();
    checkInId(await read(k, c.original));
    const other = await read(k, c.otherOfSamePerson);
    expect(other).toMatchObject({ kind: 'checkin', verdict: { verdict: 'accept' } });
    const [a, b] = [...k.store.all()].map((r) => r.subject);
    expect(a?.name).toBeTruthy();
    expect(b).toEqual(a);
  });

  it('a reading whose signature does not verify is a check-in of its own, and never a duplicate of the verified one', async () => {
    const k = kiosk();
    const first = await read(k, c.original);
    const bad = await read(k, c.badSignature);
    expect(bad).toMatchObject({ kind: 'checkin', verdict: { verdict: 'reject', reasons: ['bad-signature'] } });
    // The same broken text again is a re-read of that reading; the credential itself still folds
    // into its own check-in, not into the reject.
    expect(await read(k, c.badSignature)).toMatchObject({ kind: 'duplicate', of: checkInId(bad) });
    expect(await read(k, c.reencoded[0]!.text)).toMatchObject({ kind: 'duplicate', of: checkInId(first), verdict: { verdict: 'accept' } });
    expect([...k.store.all()].map((r) => r.verdict)).toEqual(['accept', 'reject']);
  });

  it('a re-read after its signer left the trust bundle (unknown-signer) is a check-in of its own', async () => {
    const k = kiosk();
    checkInId(await read(k, c.original));
    k.setTrust(parseTrustBundle({ version: 1, issuedAt: '2022-05-02T00:00:00Z' }));
    const unknown = await read(k, c.reencoded[0]!.text);
    expect(unknown).toMatchObject({ kind: 'checkin', verdict: { verdict: 'reject', reasons: ['unknown-signer'] } });
  });
});

describe('a signed credential whose verdict changed, or signed by someone else', () => {
  for (const format of ['dcc', 'ckd1'] as const) {
    it(`${format}: re-encoded after a status-list entry made it refer, it is a new check-in, and the next re-read folds into that one`, async () => {
      const c = byFormat(format);
      const k = kiosk();
      const first = await read(k, c.original);
      expect(first.verdict.verdict).toBe('accept');
      k.setTrust(trust([c.watch!]));
      const referred = await read(k, c.reencoded[1]!.text);
      expect(referred).toMatchObject({ kind: 'checkin', verdict: { verdict: 'refer' } });
      expect(await read(k, c.reencoded[2]!.text)).toMatchObject({ kind: 'duplicate', of: checkInId(referred), verdict: { verdict: 'refer' } });
      expect([...k.store.all()].map((r) => r.verdict)).toEqual(['accept', 'refer']);
    });
  }

  it('shc: re-encoded after it expired, it is a new check-in (a 30-minute window)', async () => {
    const signer = { privateKey: shcKey.privateKey, kid: shcKey.kid };
    const payload = shcPayload({ iss: SHC_EXAMPLE_ISS, nbf: T0 / 1000 - 86_400, exp: T0 / 1000 + 60, fhirBundle: shcExampleFhirBundle() });
    const original = encodeShcNumeric(await signShcJws(payload, signer));
    const k = kiosk({ policy: { ...DEFAULT_POLICY, duplicateWindowMinutes: 30 } });
    const first = await read(k, original);
    expect(first.verdict.verdict).toBe('accept');
    now += 10 * MINUTE; // past exp and the 300 s clock tolerance, within the window
    const late = await read(k, shcWithSignature(original, otherEcdsaForm));
    expect(late).toMatchObject({ kind: 'checkin', verdict: { verdict: 'reject', reasons: ['expired'] } });
    expect(shcJws(original).split('.')[1]).toBe(shcJws(shcWithSignature(original, otherEcdsaForm)).split('.')[1]);
  });

  it('dcc: the same payload signed by another trusted certificate (another key) is a check-in of its own', async () => {
    const c = byFormat('dcc');
    expect(Buffer.from(parseCoseSign1(coseOf(c.otherSigner!, 'HC1:')).payload)).toEqual(Buffer.from(parseCoseSign1(coseOf(c.original, 'HC1:')).payload));
    const k = kiosk();
    checkInId(await read(k, c.original));
    expect(await read(k, c.otherSigner!)).toMatchObject({ kind: 'checkin', verdict: { verdict: 'accept' } });
  });
});

describe('identity QRs: the spellings their fields allow', () => {
  const CCCD = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';
  const VNQR = '001085012345|NGUYEN VAN AN|1985-03-15|0|QH7K2M9P4R';
  const SPELLINGS: { name: string; first: string; again: string }[] = [
    { name: 'cccd with a trailing separator', first: CCCD, again: `${CCCD}|` },
    { name: 'cccd with spaces around the separators and inside the name', first: CCCD, again: '001090001234 | 123456789 |  Nguyễn  Văn An | 01021990 | Nam | Hà Nội | 15082021' },
    { name: 'cccd in NFD (decomposed accents)', first: CCCD, again: CCCD.normalize('NFD') },
    { name: 'vnqr with the name in lower case', first: VNQR, again: '001085012345|nguyen van an|1985-03-15|0|QH7K2M9P4R' },
    { name: 'vnqr with an empty EXT field', first: VNQR, again: `${VNQR}|` },
  ];
  for (const s of SPELLINGS) {
    it(`${s.name} folds into the first reading`, async () => {
      const k = kiosk();
      const first = await read(k, s.first);
      expect(first.verdict.verdict).toBe('accept');
      expect(await read(k, s.again)).toMatchObject({ kind: 'duplicate', of: checkInId(first) });
    });
  }

  it('a card that differs in a field is a check-in of its own', async () => {
    const k = kiosk();
    checkInId(await read(k, CCCD));
    expect(await read(k, CCCD.replace('15082021', '20102024'))).toMatchObject({ kind: 'checkin' });
    expect(await read(k, `${CCCD}|X`)).toMatchObject({ kind: 'checkin' });
    expect(await read(k, VNQR)).toMatchObject({ kind: 'checkin' });
    expect(await read(k, VNQR.replace('QH7K2M9P4R', 'qh7k2m9p4r'))).toMatchObject({ kind: 'checkin' });
  });
});

describe('across the upgrade to schema v7', () => {
  /**
   * Turns the data dir's store back into what a v6 kiosk left: the check-in `id` keyed by the QR
   * text (HMAC(HMAC(pepper, salt), contentKey(format, text)), store/identity-seal.ts), schema
   * version 6, no note of text-keyed rows.
   */
  function asWrittenByV6(id: string, format: string, text: string): void {
    const db = new Database(join(dir, 'kiosk.db'));
    const salt = Buffer.from(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(DEDUP_SALT_SETTING) as string, 'hex');
    const pepper = Buffer.from(hkdfSync('sha256', fileDataKey(dir).load({ create: false }), Buffer.alloc(0), 'checkpoint-kiosk duplicate pepper v1', 32));
    const key = createHmac('sha256', pepper).update(salt).digest();
    db.prepare('UPDATE checkins SET dedup_hash = ? WHERE id = ?').run(createHmac('sha256', key).update(contentKey(format, text)).digest(), id);
    db.prepare('DELETE FROM settings WHERE key = ?').run(DEDUP_TEXT_KEYS_UNTIL_SETTING);
    db.pragma('user_version = 6');
    db.close();
  }

  it('a re-read of the same text folds into the check-in a v6 kiosk recorded; a re-encoding is a check-in of its own, once', async () => {
    const c = byFormat('dcc');
    const before = kiosk();
    const first = checkInId(await read(before, c.original));
    await before.stop();
    asWrittenByV6(first, 'dcc', c.original);

    const after = kiosk();
    expect(await read(after, c.original)).toMatchObject({ kind: 'duplicate', of: first });
    const extra = await read(after, c.reencoded[0]!.text);
    expect(extra).toMatchObject({ kind: 'checkin', verdict: { verdict: 'accept' } });
    // From then on every encoding folds into that one, the latest check-in of the credential.
    for (const text of [c.original, c.reencoded[1]!.text]) expect(await read(after, text)).toMatchObject({ kind: 'duplicate', of: checkInId(extra) });
    expect([...after.store.all()]).toHaveLength(2);
  });
});
