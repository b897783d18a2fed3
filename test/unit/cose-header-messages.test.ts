/**
 * What a DCC (`HC1:`) or a CKD1 declaration is told when its COSE_Sign1 carries a header or a
 * signature of the wrong kind. The verdicts were already right; the messages named something else:
 *
 * - alg (label 1) given as text ("ES256", a JOSE habit; RFC 9052 §3.1 lets alg be a text string,
 *   but no registered COSE algorithm is one) was "algorithm missing not allowed";
 * - kid (label 4) given as a text string was "no kid in the protected or unprotected header",
 *   an empty kid "no trusted signer with kid " (nothing after it);
 * - an ECDSA signature in ASN.1 DER (the default of most crypto libraries, where COSE wants r‖s,
 *   RFC 9053 §2.1) or of another length was only "does not verify", as the SMART Health Card
 *   reader already names it (health-cards-dev-tools flags the same issuer bug);
 * - bytes after the COSE_Sign1 message were "1 bytes after the item".
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { makeSigner } from '../helpers/dcc-issuer.js';
import type { TestSigner } from '../helpers/dcc-issuer.js';
import { kidBytes, rawHc1 } from '../helpers/dcc-raw.js';
import type { RawHc1Options } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { claimsFor, declarationTrust, sampleDeclBody } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const nowS = NOW.getTime() / 1000;

async function verify(text: string, trust: TrustIndex) {
  const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: verdict.verdict, reasons: verdict.reasons, messages: verdict.display.messages };
}

const es = makeSigner();
const dccTrust = buildDccTrust([es.certificate]);
const issuerKey = newEcKey();
const ckdTrust = declarationTrust(issuerKey);
/** The declaration issuer as rawHc1 signs: its key, ES256 and its kid. */
const ckdSigner = { privateKey: issuerKey.privateKey, alg: -7, kid: issuerKey.declarationKid } as unknown as TestSigner;

/** A DCC, and a CKD1 declaration, built with the same COSE options. */
function both(
  o: Omit<RawHc1Options, 'signer' | 'claims' | 'prot'> & { prot?: (s: TestSigner) => Map<number, CborEncodable>; protBytes?: (s: TestSigner) => Uint8Array },
) {
  const { prot, protBytes, ...rest } = o;
  const protOf = (s: TestSigner) => (prot ? { prot: prot(s) } : protBytes ? { prot: protBytes(s) } : {});
  const dcc = rawHc1({ ...rest, signer: es, ...protOf(es) });
  const ckd = rawHc1({ ...rest, signer: ckdSigner, claims: claimsFor(sampleDeclBody(), nowS - 3600, nowS + 3600), ...protOf(ckdSigner) });
  return [
    ['HC1', dcc, dccTrust],
    ['CKD1', `CKD1:${ckd.slice('HC1:'.length)}`, ckdTrust],
  ] as const;
}

const header = (entries: [number, CborEncodable][]) => new Map<number, CborEncodable>(entries);

describe('COSE header parameters of the wrong type are named', () => {
  it('the controls verify', async () => {
    for (const [, text, trust] of both({})) expect(await verify(text, trust)).toMatchObject({ verdict: 'accept' });
  });

  it('alg as the text "ES256" → bad-signature, saying it is text and which number COSE registers', async () => {
    for (const [, text, trust] of both({ prot: (s) => header([[1, 'ES256'], [4, kidBytes(s)]]) })) {
      const r = await verify(text, trust);
      expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'] });
      expect(r.messages[0]).toMatch(/^algorithm "ES256" \(a text string, where COSE registers ES256 as -7\) not allowed \(ES256 /);
    }
  });

  it('no alg at all → bad-signature, saying it is missing', async () => {
    for (const [, text, trust] of both({ prot: (s) => header([[4, kidBytes(s)]]) })) {
      const r = await verify(text, trust);
      expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'] });
      expect(r.messages[0]).toMatch(/^no algorithm \(alg, label 1\) in the COSE header \(ES256 /);
    }
  });

  it('kid as a text string → unknown-signer, saying the kid is text, not that there is none', async () => {
    for (const [, text, trust] of both({ prot: (s) => header([[1, s.alg], [4, 'c29tZWtpZA==']]) })) {
      const r = await verify(text, trust);
      expect(r).toMatchObject({ verdict: 'reject', reasons: ['unknown-signer'] });
      expect(r.messages).toEqual(['the kid (label 4) in the protected header is a text string, not a byte string (RFC 9052 §3.1)']);
    }
  });

  it('an empty kid → unknown-signer, saying it is empty', async () => {
    for (const [, text, trust] of both({ prot: (s) => header([[1, s.alg], [4, new Uint8Array(0)]]) })) {
      const r = await verify(text, trust);
      expect(r).toMatchObject({ verdict: 'reject', reasons: ['unknown-signer'] });
      expect(r.messages).toEqual(['the kid is empty (0 bytes): no signer can be looked up']);
    }
  });
});

describe('an ECDSA signature that is not r‖s is named', () => {
  /** DER SEQUENCE of two INTEGERs (each with a leading zero byte, as when the high bit is set). */
  const der = (rs: Buffer) => {
    const int = (b: Buffer) => Buffer.concat([Buffer.from([0x02, b.length + 1, 0x00]), b]);
    const body = Buffer.concat([int(rs.subarray(0, 32)), int(rs.subarray(32))]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  };
  /** Rewrites the last item (the signature) of the COSE bytes: a 64-byte bstr at the very end. */
  const resign = (edit: (rs: Buffer) => Buffer) => (cose: Uint8Array) => {
    const b = Buffer.from(cose);
    const rs = b.subarray(b.length - 64);
    if (b[b.length - 66] !== 0x58 || b[b.length - 65] !== 64) throw new Error('expected a 64-byte signature at the end');
    const sig = edit(Buffer.from(rs));
    return Uint8Array.from(Buffer.concat([b.subarray(0, b.length - 66), Buffer.from([0x58, sig.length]), sig]));
  };

  it('ASN.1 DER (72 bytes) → bad-signature naming the encoding', async () => {
    for (const [, text, trust] of both({ cose: resign(der) })) {
      const r = await verify(text, trust);
      expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'] });
      expect(r.messages).toEqual(['ES256 signature is 72 bytes, not 64 (ASN.1 DER, where COSE requires r‖s: RFC 9053 §2.1)']);
    }
  });

  it('a cut signature → bad-signature naming its length', async () => {
    for (const [, text, trust] of both({ cose: resign((rs) => rs.subarray(0, 40)) })) {
      const r = await verify(text, trust);
      expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'] });
      expect(r.messages).toEqual(['ES256 signature is 40 bytes, not 64']);
    }
  });
});

describe('bytes after the COSE_Sign1 message are named as such', () => {
  it('one byte, three bytes → unreadable, in words', async () => {
    for (const [, text, trust] of both({ cose: (b) => Uint8Array.from([...b, 0]) })) {
      expect(await verify(text, trust)).toMatchObject({ verdict: 'reject', reasons: ['unreadable'], messages: ['1 byte after the end of the COSE_Sign1 message'] });
    }
    for (const [, text, trust] of both({ cose: (b) => Uint8Array.from([...b, 0, 1, 2]) })) {
      expect(await verify(text, trust)).toMatchObject({ verdict: 'reject', reasons: ['unreadable'], messages: ['3 bytes after the end of the COSE_Sign1 message'] });
    }
  });
});

describe('a malformed protected header or an empty payload is named as such', () => {
  const kb = (s: TestSigner) => [...kidBytes(s)];
  it('a label given twice in the protected header (RFC 9052 §3: malformed) names the header', async () => {
    for (const [, text, trust] of both({ protBytes: (s) => Uint8Array.from([0xa3, 0x01, 0x26, 0x04, 0x48, ...kb(s), 0x01, 0x26]) })) {
      expect(await verify(text, trust)).toMatchObject({
        verdict: 'reject',
        reasons: ['unreadable'],
        messages: ['protected header: duplicate map key 1 in the map at $ (RFC 9052 §3: a label given twice makes the message malformed)'],
      });
    }
  });

  it('bytes after the protected header map name the header', async () => {
    for (const [, text, trust] of both({ protBytes: (s) => Uint8Array.from([0xa2, 0x01, 0x26, 0x04, 0x48, ...kb(s), 0x00]) })) {
      expect(await verify(text, trust)).toMatchObject({ verdict: 'reject', reasons: ['unreadable'], messages: ['protected header: 1 byte after the end of the CBOR item'] });
    }
  });

  it('an empty payload says it is empty, not "needs 1 bytes at offset 0"', async () => {
    const [dcc] = both({});
    const text = rawHc1({ signer: es, claims: new Uint8Array(0) });
    expect(await verify(text, dcc[2])).toMatchObject({ verdict: 'reject', reasons: ['unreadable'], messages: ['CWT claims: no CBOR item (the bytes are empty)'] });
  });
});

describe('a DCC key spelled with a leading U+FEFF is another key', () => {
  // The CBOR decoder dropped a leading U+FEFF from every text string (TextDecoder's default), so a
  // DCC whose only certificate group was "\uFEFFv" read as a vaccination and was accepted, where
  // every other reader sees no v, t or r (and "\uFEFFv" beside "v" was a duplicate key).
  it('"\\uFEFFv" in place of "v" → schema-invalid, no group', async () => {
    const { v, ...rest } = (await import('../helpers/dcc-issuer.js')).sampleVaccination() as Record<string, CborEncodable>;
    const r = await verify(rawHc1({ signer: es, dcc: { ...rest, '\uFEFFv': v! } }), dccTrust);
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['schema-invalid'] });
    expect(r.messages[0]).toContain('exactly one of v, t, r is required');
  });
});
