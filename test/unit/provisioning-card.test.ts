import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { issueProvisioningCard, isProvisioningCard, verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { newEcKey } from '../helpers/keys.js';
import { cardJwk, rawCard } from '../helpers/provisioning.js';

const NOW = new Date('2026-11-29T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const URL_ = 'https://central.example:8443';
const base = { url: URL_, code: 'K7QM-2XRP-9HTD', checkpoint: 'gate-3' };

describe('CKP1 provisioning card', () => {
  const root = newEcKey();
  const other = newEcKey();

  it('round-trips: issued by the root key, verified with and without a pinned key', () => {
    const text = issueProvisioningCard({ ...base, direction: 'out', profile: 'booth', config: { duplicateWindowMinutes: 2, language: 'en' } }, root.privateKey, { now: NOW, validHours: 4 });
    expect(text.startsWith('CKP1:')).toBe(true);
    expect(isProvisioningCard(text)).toBe(true);
    const fresh = verifyProvisioningCard(text, { now: NOW });
    expect(fresh).toMatchObject({ ok: true, card: { url: URL_, code: base.code, checkpoint: 'gate-3', direction: 'out', profile: 'booth', config: { duplicateWindowMinutes: 2, language: 'en' }, rootKey: root.publicJwk } });
    if (fresh.ok) expect(Date.parse(fresh.card.expiresAt) - Date.parse(fresh.card.issuedAt)).toBe(4 * 3600_000);
    expect(verifyProvisioningCard(text, { now: NOW, pinnedKey: root.publicJwk }).ok).toBe(true);
  });

  it('reads a card as scanners deliver it: in lower case (Caps Lock on a keyboard wedge), after an AIM prefix, with a BOM and line ends', () => {
    const text = issueProvisioningCard({ ...base, direction: 'out' }, root.privateKey, { now: NOW, validHours: 4 });
    for (const scanned of [text.toLowerCase(), `]Q1${text}`, `]q1${text.toLowerCase()}\r\n`, `\ufeff  ${text.toLowerCase()}\n`]) {
      expect(isProvisioningCard(scanned), scanned.slice(0, 12)).toBe(true);
      expect(verifyProvisioningCard(scanned, { now: NOW }), scanned.slice(0, 12)).toMatchObject({ ok: true, card: { code: base.code, checkpoint: 'gate-3', direction: 'out' } });
    }
    // Mixed case is not recoverable (base45 has capitals only): a damaged card, never a throw.
    const mixed = `CKP1:${text.slice(5, 20).toLowerCase()}${text.slice(20)}`;
    expect(verifyProvisioningCard(mixed, { now: NOW })).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(isProvisioningCard(']Q1 hello')).toBe(false);
  });

  it('refuses a card signed by another key that carries the real root key (kid of the real key or of the signer)', () => {
    const prov = { v: 1, ...base, rootKey: cardJwk(root.privateKey) };
    for (const kidKey of [root.privateKey, other.privateKey]) {
      const forged = rawCard({ prov, signer: other.privateKey, kidKey, iat: T, exp: T + 3600 });
      const r = verifyProvisioningCard(forged, { now: NOW });
      expect(r).toMatchObject({ ok: false, reason: 'bad-signature' });
    }
  });

  it('refuses a genuine card whose rootKey was swapped for another key', () => {
    const genuine = rawCard({ prov: { v: 1, ...base, rootKey: cardJwk(root.privateKey) }, signer: root.privateKey, iat: T, exp: T + 3600 });
    expect(verifyProvisioningCard(genuine, { now: NOW }).ok).toBe(true);
    const swapped = rawCard({ prov: { v: 1, ...base, rootKey: cardJwk(other.privateKey) }, signer: root.privateKey, iat: T, exp: T + 3600 });
    expect(verifyProvisioningCard(swapped, { now: NOW })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a self-consistent card from another server when the kiosk pins a root key', () => {
    const foreign = issueProvisioningCard(base, other.privateKey, { now: NOW, validHours: 1 });
    expect(verifyProvisioningCard(foreign, { now: NOW }).ok).toBe(true);
    expect(verifyProvisioningCard(foreign, { now: NOW, pinnedKey: root.publicJwk })).toMatchObject({ ok: false, reason: 'wrong-root-key' });
    expect(verifyProvisioningCard(foreign, { now: NOW, pinnedKey: root.publicKey })).toMatchObject({ ok: false, reason: 'wrong-root-key' });
  });

  it('refuses expired, future and over-long cards', () => {
    const text = issueProvisioningCard(base, root.privateKey, { now: NOW, validHours: 1 });
    expect(verifyProvisioningCard(text, { now: new Date(NOW.getTime() + 3600_000) })).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyProvisioningCard(text, { now: new Date(NOW.getTime() - 3600_000) })).toMatchObject({ ok: false, reason: 'not-yet-valid' });
    const long = rawCard({ prov: { v: 1, ...base, rootKey: cardJwk(root.privateKey) }, signer: root.privateKey, iat: T, exp: T + 8 * 24 * 3600 });
    expect(verifyProvisioningCard(long, { now: NOW })).toMatchObject({ ok: false, reason: 'invalid', message: expect.stringContaining('more than') });
  });

  it('says a card that expires before it was issued does so, naming both times, also for times no date can hold', () => {
    const prov = { v: 1, ...base, rootKey: cardJwk(root.privateKey) };
    const backwards = rawCard({ prov, signer: root.privateKey, iat: T, exp: T - 60 });
    const r = verifyProvisioningCard(backwards, { now: NOW });
    expect(r).toMatchObject({ ok: false, reason: 'invalid' });
    if (!r.ok) expect(r.message).toContain('before or when it was issued');
    if (!r.ok) expect(r.message).toContain(new Date((T - 60) * 1000).toISOString());
    const huge = rawCard({ prov, signer: root.privateKey, iat: 2 ** 52, exp: 2 ** 51 });
    const h = verifyProvisioningCard(huge, { now: NOW });
    expect(h).toMatchObject({ ok: false, reason: 'invalid' });
    if (!h.ok) expect(h.message).toContain(`${2 ** 52} s`);
  });

  it('refuses unknown members in prov, in rootKey and in config, and a private key in rootKey', () => {
    const jwk = cardJwk(root.privateKey);
    const cases: Record<string, unknown>[] = [
      { v: 1, ...base, rootKey: jwk, extra: 1 },
      { v: 1, ...base, rootKey: { ...jwk, d: 'x'.repeat(43) } },
      { v: 1, ...base, rootKey: jwk, config: { dupWindow: 3 } },
      { v: 1, ...base, rootKey: jwk, config: { direction: 'up' } },
      { v: 2, ...base, rootKey: jwk },
      { v: 1, ...base, checkpoint: 'has space', rootKey: jwk },
      { v: 1, ...base, url: 'ftp://x', rootKey: jwk },
      { v: 1, ...base, url: 'http://admin:Pw0rd@127.0.0.1:47320', rootKey: jwk },
    ];
    for (const prov of cases) {
      const r = verifyProvisioningCard(rawCard({ prov: prov as never, signer: root.privateKey, iss: base.url, iat: T, exp: T + 3600 }), { now: NOW });
      expect(r, JSON.stringify(prov).slice(0, 80)).toMatchObject({ ok: false, reason: 'invalid' });
    }
    expect(() => issueProvisioningCard({ ...base, config: { bogus: true } as never }, root.privateKey, { now: NOW, validHours: 1 })).toThrow(/bogus/);
  });

  it('refuses a card whose URL carries a user name or password, without showing them (a kiosk would enrol, then get 401 on every request)', () => {
    const jwk = cardJwk(root.privateKey);
    for (const url of ['http://admin:Pw0rd@127.0.0.1:47320', 'https://admin@central.example/', 'http://@h:1']) {
      const r = verifyProvisioningCard(rawCard({ prov: { v: 1, ...base, url, rootKey: jwk } as never, signer: root.privateKey, iss: url, iat: T, exp: T + 3600 }), { now: NOW });
      expect(r, url).toMatchObject({ ok: false, reason: 'invalid' });
      expect(JSON.stringify(r)).toContain('user name or password');
      expect(JSON.stringify(r)).not.toMatch(/Pw0rd|admin/);
    }
    // An "@" in the path or query is not user-info.
    const fine = issueProvisioningCard({ ...base, url: 'https://central.example/k@1?x=a@b' }, root.privateKey, { now: NOW, validHours: 1 });
    expect(verifyProvisioningCard(fine, { now: NOW }).ok).toBe(true);
  });

  it('refuses iss different from url, damaged text and oversized input without throwing', () => {
    const prov = { v: 1, ...base, rootKey: cardJwk(root.privateKey) };
    expect(verifyProvisioningCard(rawCard({ prov, signer: root.privateKey, iss: 'https://evil.example', iat: T, exp: T + 60 }), { now: NOW })).toMatchObject({ ok: false, reason: 'invalid' });
    const good = issueProvisioningCard(base, root.privateKey, { now: NOW, validHours: 1 });
    for (let cut = 5; cut < good.length; cut += 37) {
      const r = verifyProvisioningCard(good.slice(0, cut), { now: NOW });
      expect(r.ok).toBe(false);
    }
    expect(verifyProvisioningCard(`CKP1:${'A'.repeat(5000)}`, { now: NOW })).toMatchObject({ ok: false, reason: 'too-large' });
    const bomb = `CKP1:${base45Encode(deflateSync(Buffer.alloc(200_000)))}`;
    expect(verifyProvisioningCard(bomb, { now: NOW })).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('a card that does not decode says why (a line break inside, bytes after the compressed data), never only "decoding failed"', () => {
    const good = issueProvisioningCard(base, root.privateKey, { now: NOW, validHours: 1 });
    const wrapped = `${good.slice(0, 40)}\n${good.slice(40)}`;
    expect(verifyProvisioningCard(wrapped, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'unreadable',
      message: 'the card is damaged or not a provisioning card (decoding failed: a line break (U+000A) at offset 35 inside the base45 text: the code is one unbroken line (was it wrapped or split?))',
    });
    const tail = `CKP1:${base45Encode(Buffer.concat([deflateSync(Buffer.from([0xa0])), Buffer.from([1, 2, 3])]))}`;
    expect(verifyProvisioningCard(tail, { now: NOW })).toMatchObject({ ok: false, reason: 'unreadable', message: 'the card is damaged or not a provisioning card (decoding failed: 3 bytes after the end of the compressed payload)' });
  });

  it('a card with an alg or a kid of the wrong kind, or claims that do not decode, says which', async () => {
    const { signCoseSign1 } = await import('../../src/credentials/cose/cose.js');
    const { encodeCbor } = await import('../../src/credentials/cose/cbor.js');
    const card = (cose: Uint8Array) => `CKP1:${base45Encode(deflateSync(cose))}`;
    // The claims cut short: a map announcing an entry that is not there, a 2-byte integer with one.
    const cut = card(signCoseSign1({ alg: -7, key: root.privateKey, kid: new Uint8Array(8), payload: Uint8Array.of(0xa1) }));
    expect(verifyProvisioningCard(cut, { now: NOW })).toMatchObject({ ok: false, reason: 'unreadable', message: 'card claims are not a CBOR map: map length 1 exceeds the remaining input' });
    const cutInt = card(signCoseSign1({ alg: -7, key: root.privateKey, kid: new Uint8Array(8), payload: Uint8Array.of(0xa1, 0x19, 0x01) }));
    expect(verifyProvisioningCard(cutInt, { now: NOW })).toMatchObject({ ok: false, reason: 'unreadable', message: 'card claims are not a CBOR map: cut short: 2 bytes needed at offset 2, 1 left' });
    // ES384 and a missing kid, each named.
    const p384 = (await import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const es384 = card(signCoseSign1({ alg: -35, key: p384, kid: new Uint8Array(8), payload: encodeCbor(new Map([[1, 'x']])) }));
    expect(verifyProvisioningCard(es384, { now: NOW })).toMatchObject({ ok: false, reason: 'bad-signature', message: 'card not signed with ES256: algorithm -35 (ES384) not allowed (ES256 only)' });
    const noKid = card(signCoseSign1({ alg: -7, key: root.privateKey, payload: encodeCbor(new Map([[1, 'x']])) }));
    expect(verifyProvisioningCard(noKid, { now: NOW })).toMatchObject({ ok: false, reason: 'bad-signature', message: 'card carries no key id: no kid in the protected or unprotected header' });
  });

  it('never puts the code in a refusal message', () => {
    const text = issueProvisioningCard(base, root.privateKey, { now: NOW, validHours: 1 });
    const r = verifyProvisioningCard(text, { now: new Date(NOW.getTime() + 7200_000) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toContain(base.code);
  });
});
