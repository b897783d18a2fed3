import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';
import { decodeShcNumeric, encodeShcNumeric, issueShc, shcFormat, shcPayload } from '../../src/credentials/shc/index.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { SHC_EXAMPLE_ISS, newEcKey, shcExampleFhirBundle, shcExampleSigningKeys } from '../helpers/keys.js';
import { readShcContent } from '../../src/credentials/shc/payload.js';
import { deflateJson, rawShc, shcTrust } from '../helpers/shc.js';

const trust = shcTrust();
const now = new Date('2026-11-26T08:00:00Z');
const ctx = { now, trust };
const nowS = Math.floor(now.getTime() / 1000);
const [key1, key2] = shcExampleSigningKeys() as [ReturnType<typeof shcExampleSigningKeys>[0], ReturnType<typeof shcExampleSigningKeys>[0]];
const fhirBundle = shcExampleFhirBundle();
const claims = { iss: SHC_EXAMPLE_ISS, nbf: nowS - 86_400, fhirBundle };

async function verify(text: string, c = ctx): Promise<VerifyResult> {
  return shcFormat.verify(text, c);
}

function failedStep(r: VerifyResult) {
  return r.steps.find((s) => !s.ok);
}

describe('SMART Health Card: valid cards', () => {
  it('verifies a card signed by either example key, with subject and dose details', async () => {
    for (const key of [key1, key2]) {
      const text = await issueShc(claims, key);
      expect(shcFormat.detect(text)).toBe(true);
      const r = await verify(text);
      expect(r.failures).toEqual([]);
      expect(r.findings).toEqual([]);
      expect(r.format).toBe('shc');
      expect(r.identityOnly).toBe(false);
      expect(r.subject).toEqual({ name: 'John B. Anyperson', dob: '1951-01-20' });
      expect(r.title).toBe('SMART Health Card – vaccination, 3 doses');
      expect(r.details).toEqual([
        { label: 'Issuer', value: 'SMART example issuer' },
        { label: 'Vaccine doses', value: '3' },
        { label: 'Last dose', value: '2022-09-05' },
      ]);
      expect(r.steps.every((s) => s.ok)).toBe(true);
    }
  });

  it('accepts the chunked form of a one-chunk card and an upper-case prefix', async () => {
    const text = await issueShc(claims, key1);
    const digits = text.slice('shc:/'.length);
    expect((await verify(`shc:/1/1/${digits}`)).failures).toEqual([]);
    expect((await verify(`SHC:/${digits}`)).failures).toEqual([]);
  });

  it('does not detect other formats', () => {
    expect(shcFormat.detect('HC1:NCFOXN')).toBe(false);
    expect(shcFormat.detect('001090000001|||')).toBe(false);
  });
});

describe('SMART Health Card: forged or unknown', () => {
  it('rejects a tampered signature as bad-signature', async () => {
    const text = await issueShc(claims, key1);
    const jws = decodeShcNumeric(text);
    if (!jws.ok) throw new Error('decode');
    const [h, p, s] = jws.jws.split('.') as [string, string, string];
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    const r = await verify(encodeShcNumeric(`${h}.${p}.${flipped}`));
    expect(r.failures).toEqual(['bad-signature']);
    expect(failedStep(r)?.step).toBe('signature');
  });

  it('rejects a payload swapped under a valid signature as bad-signature', async () => {
    const good = decodeShcNumeric(await issueShc(claims, key1));
    const other = decodeShcNumeric(await issueShc({ ...claims, nbf: claims.nbf - 1 }, key1));
    if (!good.ok || !other.ok) throw new Error('decode');
    const [h, , s] = good.jws.split('.');
    const [, p2] = other.jws.split('.');
    expect((await verify(encodeShcNumeric(`${h}.${p2}.${s}`))).failures).toEqual(['bad-signature']);
  });

  it('rejects a kid that is not among the issuer keys as unknown-signer', async () => {
    const stranger = newEcKey();
    const r = await verify(await issueShc(claims, { privateKey: stranger.privateKey, kid: stranger.thumbprint }));
    expect(r.failures).toEqual(['unknown-signer']);
    expect(failedStep(r)?.step).toBe('key');
  });

  it('rejects a card signed by another key under a real kid as bad-signature', async () => {
    const r = await verify(await issueShc(claims, { privateKey: key2.privateKey, kid: key1.kid }));
    expect(r.failures).toEqual(['bad-signature']);
  });

  it('rejects an issuer missing from the trust bundle as unknown-signer (never fetched)', async () => {
    const r = await verify(await issueShc({ ...claims, iss: 'https://issuer.example' }, key1));
    expect(r.failures).toEqual(['unknown-signer']);
    expect((await verify(await issueShc(claims, key1), { now, trust: EMPTY_TRUST })).failures).toEqual(['unknown-signer']);
  });

  it('rejects algorithms other than ES256 and a missing kid', async () => {
    const payload = deflateJson(shcPayload(claims));
    const es384 = await rawShc(payload, { alg: 'ES384', zip: 'DEF', kid: key1.kid }, key1.privateKey).catch(() => undefined);
    // jose refuses to sign ES384 with a P-256 key; build the header by hand instead.
    const hs = encodeShcNumeric(
      `${Buffer.from(JSON.stringify({ alg: 'HS256', zip: 'DEF', kid: key1.kid })).toString('base64url')}.${Buffer.from(payload).toString('base64url')}.AAAA`,
    );
    expect(es384).toBeUndefined();
    const r = await verify(hs);
    expect(r.failures).toEqual(['bad-signature']);
    expect(failedStep(r)?.detail).toContain('"HS256" not allowed');
    expect((await verify(await rawShc(payload, { zip: 'DEF' }, key1.privateKey))).failures).toEqual(['unknown-signer']);
  });
});

describe('SMART Health Card: validity period', () => {
  it('rejects an expired card (exp past by more than the clock tolerance), keeping the subject', async () => {
    const r = await verify(await issueShc({ ...claims, exp: nowS - 600 }, key1));
    expect(r.failures).toEqual(['expired']);
    expect(r.subject.name).toBe('John B. Anyperson');
  });

  it('rejects a card not yet valid (nbf beyond the 5-minute skew)', async () => {
    expect((await verify(await issueShc({ ...claims, nbf: nowS + 3600 }, key1))).failures).toEqual(['not-yet-valid']);
    expect((await verify(await issueShc({ ...claims, nbf: nowS + 60 }, key1))).failures).toEqual([]);
  });

  it('accepts a card with exp still in the future', async () => {
    expect((await verify(await issueShc({ ...claims, exp: nowS + 3600 }, key1))).failures).toEqual([]);
  });
});

describe('SMART Health Card: malformed', () => {
  it.each([
    ['odd number of digits', 'shc:/567', 'odd number of digits'],
    ['a pair above 77', 'shc:/5678', 'digit pair 78 out of range'],
    ['a non-digit', 'shc:/56a6', 'not a digit'],
    ['nothing after the prefix', 'shc:/', 'no digits'],
    ['decodes to something that is not a JWS', 'shc:/5656', 'not a compact JWS'],
  ])('%s → unreadable', async (_name, text, detail) => {
    const r = await verify(text);
    expect(r.failures).toEqual(['unreadable']);
    expect(failedStep(r)?.detail).toContain(detail);
  });

  it('refuses a chunk of a multi-QR card read alone, naming the missing chunks and that all must be scanned', async () => {
    const r = await verify('shc:/1/2/5676');
    expect(r.failures).toEqual(['unreadable']);
    const message =
      'multi-QR SMART Health Card: chunk 1 of 2 read alone, chunk 2 of 2 is missing; all 2 QR codes of the card must be scanned (at the kiosk one after the other; for verify in one payload, separated by spaces or line breaks)';
    expect(failedStep(r)?.detail).toBe(message);
    expect(r.messages).toContain(message);
  });

  it('rejects a payload that is not raw DEFLATE, or not compressed at all', async () => {
    const notDeflate = await rawShc(new Uint8Array([0xff, 0xff, 0xff, 0x00, 0x13]), { zip: 'DEF', kid: key1.kid }, key1.privateKey);
    const r = await verify(notDeflate);
    expect(r.failures).toEqual(['unreadable']);
    expect(failedStep(r)?.step).toBe('inflate');
    const plain = await rawShc(Buffer.from(JSON.stringify({ iss: SHC_EXAMPLE_ISS })), { kid: key1.kid }, key1.privateKey);
    const rp = await verify(plain);
    expect(rp.failures).toEqual(['unreadable']);
    expect(failedStep(rp)?.detail).toContain('zip must be DEF');
    const notJson = await rawShc(deflateJson('x').subarray(0, 0), { zip: 'DEF', kid: key1.kid }, key1.privateKey);
    expect((await verify(notJson)).failures).toEqual(['unreadable']);
  });

  it('reads the payload as UTF-8: non-ASCII text kept, invalid UTF-8 refused even inside a JSON string', async () => {
    const bundle = JSON.parse(JSON.stringify(fhirBundle)) as { entry: { resource: Record<string, unknown> }[] };
    bundle.entry[0]!.resource.name = [{ given: ['Zoë'], family: 'Ünïcode' }];
    const accented = await verify(await issueShc({ ...claims, fhirBundle: bundle }, key1));
    expect(accented.failures).toEqual([]);
    expect(accented.subject.name).toBe('Zoë Ünïcode');
    // 0xFF never occurs in UTF-8; read as latin1 it would be 'ÿ' and the JSON would parse.
    const invalid = Buffer.concat([Buffer.from(`{"iss":"${SHC_EXAMPLE_ISS}","note":"`), Buffer.from([0xff]), Buffer.from('"}')]);
    const r = await verify(await rawShc(deflateRawSync(invalid), { zip: 'DEF', kid: key1.kid }, key1.privateKey));
    expect(r.failures).toEqual(['unreadable']);
    expect(failedStep(r)?.detail).toBe('payload is not UTF-8 JSON');
  });

  it('rejects text longer than a QR code can hold as too-large', async () => {
    const r = await verify(`shc:/${'56'.repeat(2200)}`);
    expect(r.failures).toEqual(['too-large']);
  });

  it('rejects a payload that inflates beyond 64 KiB as too-large (a small zip bomb)', async () => {
    const bomb = deflateJson({ iss: SHC_EXAMPLE_ISS, pad: 'a'.repeat(200_000) });
    const text = await rawShc(bomb, { zip: 'DEF', kid: key1.kid }, key1.privateKey);
    expect(text.length).toBeLessThan(4296);
    const r = await verify(text);
    expect(r.failures).toEqual(['too-large']);
  });

  it('rejects wrong payload shapes under a valid signature as schema-invalid', async () => {
    const noPatient = { ...fhirBundle, entry: (fhirBundle.entry as { resource: { resourceType: string } }[]).filter((e) => e.resource.resourceType !== 'Patient') };
    const noImmunization = { ...fhirBundle, entry: (fhirBundle.entry as { resource: { resourceType: string } }[]).filter((e) => e.resource.resourceType === 'Patient') };
    const badName = {
      ...fhirBundle,
      entry: [{ fullUrl: 'resource:0', resource: { resourceType: 'Patient', name: [{ given: [7], family: 'X' }] } }, (fhirBundle.entry as unknown[])[1]],
    };
    for (const [bundle, detail] of [
      [noPatient, 'no Patient'],
      [noImmunization, 'no Immunization'],
      [badName, 'non-text parts'],
      [{ resourceType: 'Patient' }, 'not a FHIR Bundle'],
    ] as const) {
      const r = await verify(await issueShc({ ...claims, fhirBundle: bundle }, key1));
      expect(r.failures).toEqual(['schema-invalid']);
      expect(r.messages?.[0]).toContain(detail);
    }
    const noType = { ...shcPayload(claims), vc: { credentialSubject: { fhirBundle } } };
    const r = await verify(await rawShc(deflateJson(noType), { zip: 'DEF', kid: key1.kid }, key1.privateKey));
    expect(r.failures).toEqual(['schema-invalid']);
    const noNbf = { ...shcPayload(claims), nbf: 'yesterday' };
    const r2 = await verify(await rawShc(deflateJson(noNbf), { zip: 'DEF', kid: key1.kid }, key1.privateKey));
    expect(r2.failures).toEqual(['schema-invalid']);
  });
});

describe('SMART Health Card: JWS headers seen before', () => {
  it('gives the same verdict for a header seen again after 20 other headers pushed it out of the 16 kept', async () => {
    const good = await issueShc(claims, key1);
    const first = await verify(good);
    expect(first.failures).toEqual([]);
    const decoded = decodeShcNumeric(good);
    if (!decoded.ok) throw new Error('sample did not decode');
    const [, p, s] = decoded.jws.split('.');
    for (let i = 0; i < 20; i++) {
      const header = Buffer.from(JSON.stringify({ zip: 'DEF', alg: 'ES256', kid: `other-${i}` })).toString('base64url');
      const r = await verify(encodeShcNumeric(`${header}.${p}.${s}`));
      expect(r.failures).toEqual(['unknown-signer']);
      expect(failedStep(r)?.detail).toBe("kid is not one of the issuer's keys");
    }
    expect(await verify(good)).toEqual(first);
  });

  it('refuses a header that is not a JSON object every time it is seen, not only the first', async () => {
    const good = decodeShcNumeric(await issueShc(claims, key1));
    if (!good.ok) throw new Error('sample did not decode');
    const [, p, s] = good.jws.split('.');
    const bad = encodeShcNumeric(`${Buffer.from('[1,2]').toString('base64url')}.${p}.${s}`);
    for (let i = 0; i < 2; i++) {
      const r = await verify(bad);
      expect(r.failures).toEqual(['unreadable']);
      expect(failedStep(r)?.detail).toBe('JWS header is not a JSON object');
    }
  });
});

describe('SMART Health Card: the patient name shown', () => {
  const immunization = (fhirBundle.entry as unknown[])[1];
  const nameOf = (name: unknown) => {
    const r = readShcContent({ vc: { type: ['https://smarthealth.cards#health-card'], credentialSubject: { fhirBundle: { resourceType: 'Bundle', entry: [{ fullUrl: 'resource:0', resource: { resourceType: 'Patient', name } }, immunization] } } } });
    return r.ok ? (r.content.subject.name ?? null) : r.detail;
  };

  it('joins the given names then the family name, trimmed, with one space, leaving out empty parts', () => {
    expect(nameOf([{ given: ['  Zoë ', '', ' ', 'B.'], family: ' Ünï ' }])).toBe('Zoë B. Ünï');
    expect(nameOf([{ family: 'Anyperson' }])).toBe('Anyperson');
    expect(nameOf([{ given: ['John'] }])).toBe('John');
    expect(nameOf([{ given: ['John', 'B.'], family: '  ' }])).toBe('John B.');
    expect(nameOf([{ given: [' '], family: '' }])).toBeNull();
    expect(nameOf([{}])).toBeNull();
    expect(nameOf([{ given: ['A'], family: 'B' }, { given: ['Other'] }])).toBe('A B');
  });

  it('refuses names with parts that are not text, and names longer than 200 characters', () => {
    expect(nameOf([{ given: ['a', 7] }])).toBe('Patient.name has non-text parts');
    expect(nameOf([{ given: 'a' }])).toBe('Patient.name has non-text parts');
    expect(nameOf([{ given: ['a'], family: 7 }])).toBe('Patient.name has non-text parts');
    expect(nameOf('John')).toBe('Patient.name is not a list of names');
    expect(nameOf([{ given: ['x'.repeat(99)], family: 'y'.repeat(100) }])).toBe(`${'x'.repeat(99)} ${'y'.repeat(100)}`);
    expect(nameOf([{ given: ['x'.repeat(100)], family: 'y'.repeat(100) }])).toBe('Patient.name too long');
  });
});
