import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrustBundleError } from '../../src/credentials/trust/errors.js';
import { parseTrustBundle, readTrustFile } from '../../src/credentials/trust/load.js';
import {
  SHC_EXAMPLE_ISS,
  dccTestCertificateBase64,
  declarationIssuerEntry,
  newEcKey,
  shcExamplePublicJwks,
} from '../helpers/keys.js';

const cert = dccTestCertificateBase64();
/** Kid computed independently of the code under test: X509Certificate's SHA-256 fingerprint. */
const certKid = Buffer.from(new X509Certificate(Buffer.from(cert, 'base64')).fingerprint256.replaceAll(':', ''), 'hex')
  .subarray(0, 8)
  .toString('base64');

function errorOf(fn: () => unknown): TrustBundleError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TrustBundleError);
    return err as TrustBundleError;
  }
  throw new Error('expected a TrustBundleError');
}

const base = { version: 1, issuedAt: '2026-11-25T00:00:00Z' };

describe('parseTrustBundle: indexing', () => {
  it('accepts a bundle with no sections', () => {
    const trust = parseTrustBundle(base);
    expect(trust.issuedAt).toBe('2026-11-25T00:00:00Z');
    expect(trust.dccSigners(certKid)).toEqual([]);
    expect(trust.shcIssuer(SHC_EXAMPLE_ISS)).toBeUndefined();
    expect(trust.statuses('001090000001', new Date())).toEqual([]);
  });

  it('indexes DCC signers by the computed kid when none is given, and by the given kid otherwise', () => {
    const trust = parseTrustBundle({
      ...base,
      dcc: {
        signers: [
          { country: 'ES', certificate: cert },
          { kid: 'AAAAAAAAAAA=', country: 'XX', certificate: cert },
          { kid: 'AAAAAAAAAAA=', certificate: cert },
        ],
        rules: [{ Identifier: 'VR-EU-0000' }],
        valueSets: { 'vaccines-covid-19-names': ['EU/1/20/1528'] },
      },
    });
    const computed = trust.dccSigners(certKid);
    expect(computed).toHaveLength(1);
    expect(computed[0]?.country).toBe('ES');
    expect(computed[0]?.kid).toBe(certKid);
    expect(Buffer.from(computed[0]!.der).toString('base64')).toBe(cert);
    expect(computed[0]?.certificate.subject).toContain('PLATAFORMA');
    // Several certificates may share a kid: all are returned, in bundle order.
    expect(trust.dccSigners('AAAAAAAAAAA=').map((s) => s.country)).toEqual(['XX', undefined]);
    expect(trust.dccSigners('BBBBBBBBBBB=')).toEqual([]);
    expect(trust.dccRules).toEqual([{ Identifier: 'VR-EU-0000' }]);
    expect(trust.dccValueSets['vaccines-covid-19-names']).toEqual(['EU/1/20/1528']);
  });

  it('indexes SHC issuers by iss with signing keys only, each with its JWK thumbprint as kid', () => {
    const jwks = shcExamplePublicJwks();
    const trust = parseTrustBundle({
      ...base,
      shc: {
        issuers: [{ iss: SHC_EXAMPLE_ISS, name: 'Example', jwks: { keys: [...jwks.keys, { ...jwks.keys[0], use: 'enc' }] } }],
      },
    });
    const issuer = trust.shcIssuer(SHC_EXAMPLE_ISS);
    expect(issuer?.name).toBe('Example');
    // The published kids are RFC 7638 thumbprints; we recompute and must agree.
    expect(issuer?.keys.map((k) => k.kid)).toEqual(jwks.keys.map((k) => k.kid));
    expect(issuer?.keys.every((k) => k.d === undefined && k.x5c === undefined)).toBe(true);
    expect(trust.shcIssuer('https://other.example')).toBeUndefined();
  });

  // An issuer's JWKS may publish keys for other purposes (health-cards-dev-tools#33: only the key a
  // card names must follow the SMART rules). An RSA key or a P-384 key without `alg` refused the
  // whole bundle, so no card of any issuer could be verified with it.
  it('skips keys of another type or curve in an issuer\'s JWKS and keeps its card keys', () => {
    const jwks = shcExamplePublicJwks();
    const others = [
      { kty: 'RSA', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw', e: 'AQAB' },
      { kty: 'EC', crv: 'P-384', x: 'a', y: 'b' },
      { kty: 'OKP', crv: 'Ed25519', x: 'c' },
    ];
    const trust = parseTrustBundle({ ...base, shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, jwks: { keys: [...others, ...jwks.keys] } }] } });
    expect(trust.shcIssuer(SHC_EXAMPLE_ISS)?.keys.map((k) => k.kid)).toEqual(jwks.keys.map((k) => k.kid));
  });

  it('indexes declaration issuers by kid with an imported public key', () => {
    const key = newEcKey();
    const trust = parseTrustBundle({ ...base, declaration: { issuers: [declarationIssuerEntry(key, 'Hanoi')] } });
    const issuer = trust.declarationIssuer(key.declarationKid);
    expect(issuer?.name).toBe('Hanoi');
    expect(issuer?.key.type).toBe('public');
    expect(issuer?.key.equals(key.publicKey)).toBe(true);
    expect(trust.declarationIssuer('AAAAAAAAAAA=')).toBeUndefined();
  });

  it('answers status lookups, respecting until (inclusive) and several entries per id', () => {
    const trust = parseTrustBundle({
      ...base,
      status: {
        entries: [
          { id: '001090000001', status: 'f1', until: '2026-12-01T00:00:00Z' },
          { id: '001090000001', status: 'quarantine', until: '2026-12-15' },
          { id: 'QID-7', status: 'blocked' },
        ],
      },
    });
    const statuses = (id: string, at: string) => trust.statuses(id, new Date(at)).map((e) => e.status);
    // Every live entry applies, in bundle order: a later one is never hidden by an earlier one.
    expect(statuses('001090000001', '2026-11-30T00:00:00Z')).toEqual(['f1', 'quarantine']);
    expect(statuses('001090000001', '2026-12-01T00:00:00Z')).toEqual(['f1', 'quarantine']);
    expect(statuses('001090000001', '2026-12-01T00:00:01Z')).toEqual(['quarantine']);
    expect(statuses('001090000001', '2026-12-16T00:00:00Z')).toEqual([]);
    expect(trust.statuses('QID-7', new Date('2099-01-01T00:00:00Z'))).toEqual([{ id: 'QID-7', status: 'blocked' }]);
    expect(statuses('QID-8', '2026-11-30T00:00:00Z')).toEqual([]);
  });

  it('refuses unknown keys at every level of our format, naming the key, where it is and the nearest valid one', () => {
    const unknown: [unknown, string][] = [
      [{ ...base, stauts: { entries: [] } }, 'trust bundle: unknown key "stauts" at $ (did you mean "status"?)'],
      [{ ...base, dcc: { signer: [] } }, 'trust bundle: unknown key "signer" at $.dcc (did you mean "signers"?)'],
      [{ ...base, dcc: { signers: [{ certificate: cert, contry: 'ES' }] } }, 'trust bundle: unknown key "contry" at $.dcc.signers[0] (did you mean "country"?)'],
      [{ ...base, shc: { issuer: [] } }, 'trust bundle: unknown key "issuer" at $.shc (did you mean "issuers"?)'],
      [{ ...base, shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, nam: 'x', jwks: shcExamplePublicJwks() }] } }, 'trust bundle: unknown key "nam" at $.shc.issuers[0] (did you mean "name"?)'],
      [{ ...base, declaration: { issuers: [{ ...declarationIssuerEntry(newEcKey()), jwks: {} }] } }, 'trust bundle: unknown key "jwks" at $.declaration.issuers[0] (did you mean "jwk"?)'],
      [{ ...base, status: { entry: [] } }, 'trust bundle: unknown key "entry" at $.status (did you mean "entries"?)'],
      [{ ...base, status: { entries: [{ id: '1', status: 'f1', untill: '2026-12-01' }] } }, 'trust bundle: unknown key "untill" at $.status.entries[0] (did you mean "until"?)'],
      [{ ...base, issuedat: base.issuedAt }, 'trust bundle: unknown key "issuedat" at $ (did you mean "issuedAt"?)'],
    ];
    for (const [json, message] of unknown) expect(errorOf(() => parseTrustBundle(json)).message).toBe(message);
  });

  it('leaves foreign formats alone: EU rule objects, value-set contents and JWKs keep their own keys', () => {
    const rule = { Identifier: 'GR-VN-0001', Logic: true, SomethingNew: 1 };
    const jwks = shcExamplePublicJwks();
    expect(() =>
      parseTrustBundle({
        ...base,
        dcc: { rules: [rule], valueSets: { 'any-set-name': ['A'] } },
        shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, jwks: { ...jwks, keys: jwks.keys.map((k) => ({ ...k, x5c: [] })) } }] },
      }),
    ).not.toThrow();
  });

  it('a typo for "status" no longer lets a blocked ID through: the bundle is refused instead', () => {
    const typo = { ...base, stauts: { entries: [{ id: '001090000001', status: 'blocked' }] } };
    expect(() => parseTrustBundle(typo)).toThrow(/did you mean "status"/);
  });
});

describe('parseTrustBundle: clear errors naming the JSON path', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', [], 'bundle: expected an object, got an array'],
    ['wrong version', { ...base, version: 2 }, 'version: unsupported version 2 (expected 1)'],
    ['an empty object: the missing version is named with what to write', {}, 'version: missing; a trust bundle starts with "version": 1 and "issuedAt"'],
    ['a version without issuedAt: the missing field is named with an example', { version: 1 }, 'issuedAt: missing; add "issuedAt" with the time the bundle was made, e.g. "issuedAt": "2026-11-25T00:00:00Z"'],
    ['a missing string deeper down says missing, not "a undefined"', { ...base, shc: { issuers: [{ jwks: { keys: [] } }] } }, 'shc.issuers[0].iss: expected a string, got nothing (the key is missing)'],
    ['bad issuedAt', { ...base, issuedAt: 'yesterday' }, 'issuedAt: not a valid ISO 8601 time'],
    ['signers not an array', { ...base, dcc: { signers: {} } }, 'dcc.signers: expected an array, got an object'],
    [
      'a certificate that is not base64 DER',
      { ...base, dcc: { signers: [{ certificate: cert }, { certificate: 'bm90IGEgY2VydA==' }] } },
      'dcc.signers[1].certificate: not a valid base64 DER X.509 certificate',
    ],
    [
      'a certificate that is not base64',
      { ...base, dcc: { signers: [{ certificate: '***' }] } },
      'dcc.signers[0].certificate: not a valid base64 DER X.509 certificate',
    ],
    ['a rule that is not an object', { ...base, dcc: { rules: [1] } }, 'dcc.rules[0]: expected an object, got a number'],
    [
      'a value-set code that is not a string',
      { ...base, dcc: { valueSets: { 'country-2-codes': ['VN', 7] } } },
      'dcc.valueSets.country-2-codes[1]: expected a string, got a number',
    ],
    ['an issuer without iss', { ...base, shc: { issuers: [{ jwks: { keys: [] } }] } }, 'shc.issuers[0].iss: expected a string'],
    [
      'an SHC issuer whose only key is not P-256: no key for cards, the skipped one named',
      { ...base, shc: { issuers: [{ iss: 'https://issuer.example', jwks: { keys: [{ kty: 'EC', crv: 'P-384', x: 'a', y: 'b' }] } }] } },
      'shc.issuers[0].jwks.keys: no key that can sign SMART Health Cards (EC P-256, use "sig", alg "ES256"): shc.issuers[0].jwks.keys[0] is on curve P-384',
    ],
    [
      'an SHC key meant for cards (no other use, alg, type or known curve) that is malformed',
      { ...base, shc: { issuers: [{ iss: 'https://issuer.example', jwks: { keys: [{ kty: 'EC', crv: 'P256', x: 'a', y: 'b' }] } }] } },
      'shc.issuers[0].jwks.keys[0].crv: only P-256 keys are supported',
    ],
    [
      'an SHC issuer with a trailing slash (cards never carry one: every card would be unknown-signer)',
      { ...base, shc: { issuers: [{ iss: 'https://issuer.example/', jwks: { keys: [] } }] } },
      'shc.issuers[0].iss: "https://issuer.example/" ends with "/"; cards carry the issuer URL without a trailing slash',
    ],
    [
      // Was loaded: keys not for signing cards (another use or alg) were skipped before the check.
      'an SHC JWKS holding a private key that is not for signing cards (use enc)',
      { ...base, shc: { issuers: [{ iss: 'https://issuer.example', jwks: { keys: [{ kty: 'EC', crv: 'P-256', use: 'enc', x: 'a', y: 'b', d: 'c' }] } }] } },
      'shc.issuers[0].jwks.keys[0].d: contains a private key',
    ],
    [
      'an SHC JWKS holding an RSA private key for another algorithm',
      { ...base, shc: { issuers: [{ iss: 'https://issuer.example', jwks: { keys: [{ kty: 'RSA', alg: 'RS256', n: 'a', e: 'AQAB', p: 'b' }] } }] } },
      'shc.issuers[0].jwks.keys[0].p: contains a private key',
    ],
    ['an SHC issuer that is not https', { ...base, shc: { issuers: [{ iss: 'http://issuer.example', jwks: { keys: [] } }] } }, 'shc.issuers[0].iss: "http://issuer.example" is not an https URL'],
    ...[' https://issuer.example', 'https://issuer.example ', 'https:///x', 'https://user:pw@issuer.example', 'https://issuer.example/x?y=1', 'https://issuer.example#k'].map(
      (iss): [string, unknown, string] => [`an SHC issuer written ${JSON.stringify(iss)}`, { ...base, shc: { issuers: [{ iss, jwks: { keys: [] } }] } }, `shc.issuers[0].iss: ${JSON.stringify(iss)}`],
    ),
    ['an SHC issuer that is not a URL', { ...base, shc: { issuers: [{ iss: 'issuer.example', jwks: { keys: [] } }] } }, 'shc.issuers[0].iss: "issuer.example" is not a URL'],
    [
      'a status with characters a reason code cannot carry',
      { ...base, status: { entries: [{ id: '1', status: 'f 1' }] } },
      'status.entries[0].status: only letters, digits',
    ],
    [
      'a status entry with a bad until',
      { ...base, status: { entries: [{ id: '1', status: 'f1', until: '2026-13-45' }] } },
      'status.entries[0].until: not a valid ISO 8601 time',
    ],
    ['an empty id', { ...base, status: { entries: [{ id: '', status: 'f1' }] } }, 'status.entries[0].id: must not be empty'],
    [
      'too many declaration issuers',
      { ...base, declaration: { issuers: new Array(1001).fill(null) } },
      'declaration.issuers: too many items (1001 > 1000)',
    ],
  ];
  it.each(cases)('%s', (_name, json, message) => {
    const err = errorOf(() => parseTrustBundle(json));
    expect(err.message).toContain(message);
  });

  it('refuses a declaration issuer whose kid does not match its key, or that carries a private key', () => {
    const key = newEcKey();
    const entry = declarationIssuerEntry(key);
    const mismatch = errorOf(() =>
      parseTrustBundle({ ...base, declaration: { issuers: [{ ...entry, kid: 'AAAAAAAAAAA=' }] } }),
    );
    expect(mismatch.message).toBe(`declaration.issuers[0].kid: does not match the key (expected ${key.declarationKid})`);
    expect(mismatch.path).toBe('declaration.issuers[0].kid');
    const d = key.privateKey.export({ format: 'jwk' }).d;
    const leaked = errorOf(() =>
      parseTrustBundle({ ...base, declaration: { issuers: [{ ...entry, jwk: { ...entry.jwk, d } }] } }),
    );
    expect(leaked.message).toContain('declaration.issuers[0].jwk.d: contains a private key');
  });

  it('refuses a declaration key whose point is not on the curve', () => {
    const key = newEcKey();
    const entry = declarationIssuerEntry(key);
    const bad = { ...entry.jwk, y: entry.jwk.x };
    const err = errorOf(() => parseTrustBundle({ ...base, declaration: { issuers: [{ ...entry, jwk: bad }] } }));
    expect(err.message).toContain('declaration.issuers[0].jwk: not a valid P-256 public key');
  });
});

describe('readTrustFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('loads a valid file', async () => {
    const file = write('ok.json', JSON.stringify({ ...base, status: { entries: [{ id: 'A1', status: 'f0' }] } }));
    const trust = await readTrustFile(file);
    expect(trust.statuses('A1', new Date())).toEqual([{ id: 'A1', status: 'f0' }]);
  });

  it('names the file when it is missing, a directory, not JSON, or invalid', async () => {
    const missing = path.join(dir, 'nope.json');
    await expect(readTrustFile(missing)).rejects.toThrow(`${missing}: trust bundle file not found`);
    await expect(readTrustFile(dir)).rejects.toThrow(`${dir}: not a regular file`);
    const notJson = write('bad.json', '{"version": 1,');
    await expect(readTrustFile(notJson)).rejects.toThrow(`${notJson}: not valid JSON`);
    const invalid = write('invalid.json', JSON.stringify({ ...base, dcc: { signers: [{ certificate: 'AAAA' }] } }));
    const err = await readTrustFile(invalid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrustBundleError);
    expect((err as TrustBundleError).message).toBe(
      `${invalid}: dcc.signers[0].certificate: not a valid base64 DER X.509 certificate`,
    );
    expect((err as TrustBundleError).file).toBe(invalid);
    expect((err as TrustBundleError).path).toBe('dcc.signers[0].certificate');
  });
});
