/**
 * One spelling per signed object: base64url with unused trailing bits set (RFC 4648 §3.5), padding
 * or characters outside the alphabet (RFC 7515 §2) is refused by the shared reader
 * (src/shared/base64url.ts) and by everything that reads base64url through it — SMART Health
 * Cards, signed trust bundles, configuration profiles, JWK coordinates in bundles and CKP1 cards,
 * and the operations room's session MAC — although Node's decoder (and jose's) would read the
 * same bytes out of them.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSession, issueSession } from '../../server/ops/session.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { decodeShcNumeric, encodeShcNumeric, issueShc, shcFormat } from '../../src/credentials/shc/index.js';
import { TrustBundleError } from '../../src/credentials/trust/errors.js';
import { generateRootKey, signTrustBundle, verifySignedTrustBundle } from '../../src/credentials/trust/envelope.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import { signConfigProfile, verifyConfigProfile } from '../../src/fleet/signed-profile.js';
import { Base64urlError, base64urlProblem, compactJwsProblem, readBase64url } from '../../src/shared/base64url.js';
import { SHC_EXAMPLE_ISS, newEcKey, shcExampleFhirBundle, shcExampleSigningKeys } from '../helpers/keys.js';
import { cardJwk, rawCard } from '../helpers/provisioning.js';
import { deflateJson, rawShc, shcTrust } from '../helpers/shc.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `text` with the lowest unused bit of its last character set: the same bytes to a lenient decoder. */
function sloppy(text: string): string {
  const unused = [0, 0, 0x0f, 0x03][text.length % 4] as number;
  expect(unused, `"${text.slice(-8)}" (${text.length} chars) has no unused bits`).not.toBe(0);
  const last = ALPHABET.indexOf(text.slice(-1));
  const twin = `${text.slice(0, -1)}${ALPHABET[last | (unused & -unused)] as string}`;
  expect(Buffer.from(twin, 'base64url').equals(Buffer.from(text, 'base64url'))).toBe(true);
  return twin;
}

/** The compact JWS with part `i` (0 header, 1 payload, 2 signature) spelled sloppily. */
function sloppyPart(jws: string, i: 0 | 1 | 2): string {
  const parts = jws.split('.');
  parts[i] = sloppy(parts[i] as string);
  return parts.join('.');
}

describe('the shared base64url reader', () => {
  it('reads every canonical text exactly as Buffer does, for every length', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = randomBytes(n);
      const text = bytes.toString('base64url');
      expect(base64urlProblem(text)).toBeUndefined();
      expect(readBase64url(text, 'x').equals(bytes)).toBe(true);
    }
  });

  it('refuses set unused bits in the last character, for both partial-group lengths', () => {
    for (const n of [1, 2, 31, 32, 64]) {
      const text = randomBytes(n).toString('base64url');
      if (text.length % 4 === 0) continue;
      expect(base64urlProblem(sloppy(text))).toMatch(/^its last character "[A-Za-z0-9_-]" sets bits that encode nothing \(RFC 4648 §3\.5\)$/);
    }
    expect(() => readBase64url('QR', 'JWS signature')).toThrow(new Base64urlError('JWS signature is not canonical base64url: its last character "R" sets bits that encode nothing (RFC 4648 §3.5)'));
    expect(readBase64url('QQ', 'x')).toEqual(Buffer.from('A'));
  });

  it('refuses padding, other alphabets, and lengths that cannot encode whole bytes', () => {
    expect(base64urlProblem('QQ==')).toBe('padding "=" is not used in base64url (RFC 7515 §2)');
    expect(base64urlProblem('ab+c')).toBe('character "+" at 2 is not in the base64url alphabet');
    expect(base64urlProblem('ab/c')).toBe('character "/" at 2 is not in the base64url alphabet');
    expect(base64urlProblem('ab c')).toBe('character U+0020 at 2 is not in the base64url alphabet');
    expect(base64urlProblem('abé')).toBe('character U+00E9 at 2 is not in the base64url alphabet');
    expect(base64urlProblem('abcde')).toBe('5 characters cannot encode whole bytes');
    expect(compactJwsProblem('a.b')).toEqual({ part: 'shape', why: 'expected three dot-separated parts' });
    expect(compactJwsProblem('QQ.QR.QQ')).toEqual({ part: 'payload', why: 'not canonical base64url: its last character "R" sets bits that encode nothing (RFC 4648 §3.5)' });
    expect(compactJwsProblem('QQ.QQ.QQ')).toBeUndefined();
  });
});

describe('SMART Health Cards', () => {
  const [key] = shcExampleSigningKeys() as [ReturnType<typeof shcExampleSigningKeys>[0]];
  const now = new Date('2026-11-26T08:00:00Z');
  const ctx = { now, trust: shcTrust() };
  const nbf = Math.floor(now.getTime() / 1000) - 86_400;

  /** A card whose header and payload both leave unused bits (lengths not a multiple of 3 bytes). */
  async function cardWithSlack(): Promise<string> {
    for (let pad = 0; pad < 9; pad++) {
      const header = { zip: 'DEF', kid: key.kid, ...(pad % 3 ? { x: 'y'.repeat(pad % 3) } : {}) };
      const payload = deflateJson({ iss: SHC_EXAMPLE_ISS, nbf, vc: { type: ['https://smarthealth.cards#health-card'], credentialSubject: { fhirVersion: '4.0.1', fhirBundle: shcExampleFhirBundle() } }, ...(pad >= 3 ? { pad: 'p'.repeat(pad) } : {}) });
      const decoded = decodeShcNumeric(await rawShc(payload, header, key.privateKey));
      if (!decoded.ok) throw new Error(decoded.detail);
      if (decoded.jws.split('.').every((p) => p.length % 4 !== 0)) return decoded.jws;
    }
    throw new Error('no padding gave slack in every part');
  }

  it('verifies the canonical card, and refuses it as unreadable with any part spelled with unused bits set', async () => {
    const jws = await cardWithSlack();
    expect((await shcFormat.verify(encodeShcNumeric(jws), ctx)).failures).toEqual([]);
    for (const [i, name] of [[0, 'header'], [1, 'payload'], [2, 'signature']] as const) {
      const r = await shcFormat.verify(encodeShcNumeric(sloppyPart(jws, i)), ctx);
      expect(r.failures, name).toEqual(['unreadable']);
      expect(r.messages?.[0]).toMatch(new RegExp(`^JWS ${name} is not canonical base64url: its last character "[A-Za-z0-9_-]" sets bits that encode nothing`));
      expect(r.steps.at(-1)).toMatchObject({ step: 'decode', ok: false });
    }
    // The card the real issuer makes is still fine.
    expect((await shcFormat.verify(await issueShc({ iss: SHC_EXAMPLE_ISS, nbf, fhirBundle: shcExampleFhirBundle() }, key), ctx)).failures).toEqual([]);
  });
});

describe('signed trust bundles and configuration profiles (jose reads them leniently)', () => {
  const root = generateRootKey();
  const bundle = { version: 1, issuedAt: '2026-11-25T00:00:00Z' } as const;

  it('refuses a trust bundle whose signature, header or payload is spelled with unused bits set', async () => {
    const jws = await signTrustBundle(bundle, root.privateKey);
    await expect(verifySignedTrustBundle(jws, root.publicJwk)).resolves.toEqual(bundle);
    const parts = jws.split('.');
    const withSlack = ([0, 1, 2] as const).filter((i) => (parts[i] as string).length % 4 !== 0);
    expect(withSlack).toContain(2);
    for (const i of withSlack) {
      const err = await verifySignedTrustBundle(sloppyPart(jws, i), root.publicJwk).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TrustBundleError);
      expect((err as Error).message).toMatch(new RegExp(`^signed trust bundle refused: malformed JWS ${['header', 'payload', 'signature'][i]}: not canonical base64url: its last character`));
    }
  });

  it('refuses a configuration profile whose signature is spelled with unused bits set', async () => {
    const profile = { deviceId: 'dev-1', version: 3, issuedAt: '2026-11-25T00:00:00.000Z', config: { duplicateWindowMinutes: 2 } };
    const jws = await signConfigProfile(profile, root.privateKey);
    await expect(verifyConfigProfile(jws, root.publicJwk, 'dev-1')).resolves.toEqual(profile);
    await expect(verifyConfigProfile(sloppyPart(jws, 2), root.publicJwk, 'dev-1')).rejects.toThrow(/^configuration profile refused: malformed JWS signature: not canonical base64url: its last character/);
  });

  it('refuses a bundle key whose coordinate is spelled with unused bits set', () => {
    const jwk = { ...root.publicJwk };
    delete jwk.kid;
    const make = (x: string) => ({ version: 1, issuedAt: '2026-11-25T00:00:00Z', shc: { issuers: [{ iss: 'https://issuer.example', jwks: { keys: [{ ...jwk, x }] } }] } });
    expect(() => parseTrustBundle(make(jwk.x as string))).not.toThrow();
    expect(() => parseTrustBundle(make(sloppy(jwk.x as string)))).toThrow(/x: not canonical base64url: its last character/);
  });
});

describe('CKP1 provisioning cards', () => {
  it('refuses a card whose rootKey coordinate is spelled with unused bits set, even signed by that key', () => {
    const root = newEcKey();
    const T = Math.floor(Date.parse('2026-11-29T10:00:00Z') / 1000);
    const jwk = cardJwk(root.privateKey);
    const prov = (x: string) => ({ v: 1, url: 'https://central.example', code: 'K7QM-2XRP-9HTD', checkpoint: 'gate-3', rootKey: { ...jwk, x } });
    const now = new Date(T * 1000);
    expect(verifyProvisioningCard(rawCard({ prov: prov(jwk.x), signer: root.privateKey, iat: T, exp: T + 3600 }), { now }).ok).toBe(true);
    const check = verifyProvisioningCard(rawCard({ prov: prov(sloppy(jwk.x)), signer: root.privateKey, iat: T, exp: T + 3600 }), { now });
    expect(check).toMatchObject({ ok: false });
    expect(JSON.stringify(check)).toMatch(/prov\.rootKey\.x: not canonical base64url: its last character/);
  });
});

describe('the operations room session', () => {
  it('refuses a session value whose MAC is spelled with unused bits set', () => {
    const token = 'k7F0e2Gm8p1Yc9QwR4tU6vX3zA5bD8hJ0lN2sV4xZ6c';
    const nowMs = Date.parse('2026-11-25T03:00:00Z');
    const value = issueSession(token, nowMs);
    expect(checkSession(value, token, nowMs)).toBe('ok');
    const dot = value.lastIndexOf('.');
    expect(checkSession(`${value.slice(0, dot)}.${sloppy(value.slice(dot + 1))}`, token, nowMs)).toBe('malformed');
  });
});
