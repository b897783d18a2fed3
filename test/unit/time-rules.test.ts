/**
 * One set of time rules for every signed format: the same offsets give the same answer for an EU
 * DCC (CWT iat/exp), a SMART Health Card (JWT nbf/exp) and a CKD1 declaration (CWT iat/exp), with
 * one clock-skew tolerance from the policy (clockSkewSeconds, default 300 s).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import { issueShc } from '../../src/credentials/shc/index.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { checkTokenTimes, checkWindow, dateSpan } from '../../src/credentials/time-rules.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { SHC_EXAMPLE_ISS, declarationIssuerEntry, newEcKey, shcExampleFhirBundle, shcExamplePublicJwks, shcExampleSigningKeys } from '../helpers/keys.js';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const S = (ms: number) => Math.floor(ms / 1000);
const MIN = 60_000;

const dccSigner = makeSigner({ notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2028-01-01T00:00:00Z') });
const declKey = newEcKey();
const shcKey = shcExampleSigningKeys()[0]!;
const trust: TrustIndex = parseTrustBundle({
  version: 1,
  issuedAt: '2026-11-25T00:00:00Z',
  dcc: { signers: [{ certificate: Buffer.from(dccSigner.certificate.raw).toString('base64') }] },
  shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, jwks: shcExamplePublicJwks() }] },
  declaration: { issuers: [declarationIssuerEntry(declKey)] },
});

/** A credential of each format issued at `issuedMs` (iat / nbf) and expiring at `expMs`. */
async function issued(format: 'dcc' | 'shc' | 'ckd1', issuedMs: number, expMs: number): Promise<string> {
  if (format === 'dcc') return issueHc1({ dcc: sampleVaccination(), signer: dccSigner, iat: S(issuedMs), exp: S(expMs) });
  if (format === 'shc') return issueShc({ iss: SHC_EXAMPLE_ISS, nbf: S(issuedMs), exp: S(expMs), fhirBundle: shcExampleFhirBundle() }, shcKey);
  const hours = (expMs - issuedMs) / 3_600_000;
  return issueDeclaration(
    { id: '0190d6b2-7c1e-7000-8000-000000000009', sub: { idType: 'cccd', idNo: '001090000001', name: 'Nguyễn Văn An', dob: '1990-05-17' }, trip: { from: 'A', to: 'B', purpose: 'work' }, health: { symptoms: [], exposure: false } },
    { privateKey: declKey.privateKey, kid: declKey.declarationKid },
    { iss: 'https://central.example', now: new Date(issuedMs), validHours: hours },
  );
}

async function reasons(text: string, policy: Policy = DEFAULT_POLICY): Promise<string[]> {
  const { verdict } = await assessText(text, new Date(NOW), { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => policy, logger: silentLogger });
  return verdict.reasons.filter((r) => r === 'expired' || r === 'not-yet-valid');
}

describe('the same time rules for DCC, SHC and CKD1', () => {
  for (const format of ['dcc', 'shc', 'ckd1'] as const) {
    it(`${format}: issued 4 min ahead of the clock is accepted, 10 min ahead is not-yet-valid, 72 h ahead too`, async () => {
      expect(await reasons(await issued(format, NOW + 4 * MIN, NOW + 48 * 60 * MIN))).toEqual([]);
      expect(await reasons(await issued(format, NOW + 10 * MIN, NOW + 48 * 60 * MIN))).toEqual(['not-yet-valid']);
      expect(await reasons(await issued(format, NOW + 72 * 60 * MIN, NOW + 100 * 60 * MIN))).toEqual(['not-yet-valid']);
    });

    it(`${format}: expired 4 min ago is still inside the tolerance, 6 min ago is expired`, async () => {
      expect(await reasons(await issued(format, NOW - 24 * 60 * MIN, NOW - 4 * MIN))).toEqual([]);
      expect(await reasons(await issued(format, NOW - 24 * 60 * MIN, NOW - 6 * MIN))).toEqual(['expired']);
    });

    it(`${format}: the tolerance is the policy's clockSkewSeconds`, async () => {
      const wide = { ...DEFAULT_POLICY, clockSkewSeconds: 900 };
      const strict = { ...DEFAULT_POLICY, clockSkewSeconds: 0 };
      expect(await reasons(await issued(format, NOW + 10 * MIN, NOW + 48 * 60 * MIN), wide)).toEqual([]);
      expect(await reasons(await issued(format, NOW + 2 * MIN, NOW + 48 * 60 * MIN), strict)).toEqual(['not-yet-valid']);
    });
  }
});

describe('time-rules semantics (RFC 7519 §4.1.4–4.1.6)', () => {
  const rules = { skewMs: 300_000 };
  it('exp: valid while now < exp + tolerance', () => {
    expect(checkTokenTimes({ exp: S(NOW) }, NOW + 299_999, rules).ok).toBe(true);
    expect(checkTokenTimes({ exp: S(NOW) }, NOW + 300_000, rules)).toMatchObject({ ok: false, reason: 'expired' });
  });
  it('nbf: valid once now + tolerance ≥ nbf; iat beyond the tolerance is not-yet-valid', () => {
    expect(checkTokenTimes({ nbf: S(NOW) + 300 }, NOW, rules).ok).toBe(true);
    expect(checkTokenTimes({ nbf: S(NOW) + 301 }, NOW, rules)).toMatchObject({ ok: false, reason: 'not-yet-valid' });
    expect(checkTokenTimes({ iat: S(NOW) + 301 }, NOW, rules)).toMatchObject({ ok: false, reason: 'not-yet-valid', detail: expect.stringMatching(/check the kiosk clock/) });
  });
  it('a certificate window is inclusive at both ends, widened by the tolerance', () => {
    expect(checkWindow(NOW, NOW + 1000, NOW - 300_000, 'cert', rules).ok).toBe(true);
    expect(checkWindow(NOW, NOW + 1000, NOW - 300_001, 'cert', rules)).toMatchObject({ reason: 'not-yet-valid' });
    expect(checkWindow(NOW, NOW + 1000, NOW + 301_000, 'cert', rules).ok).toBe(true);
    expect(checkWindow(NOW, NOW + 1000, NOW + 301_001, 'cert', rules)).toMatchObject({ reason: 'expired' });
  });
  it('a plain date spans the whole calendar day in every time zone', () => {
    expect(dateSpan('2026-11-26')).toEqual({ startMs: Date.parse('2026-11-25T10:00:00Z'), endMs: Date.parse('2026-11-27T12:00:00Z') - 1 });
    expect(dateSpan('2026-11-26T08:00:00+07:00')).toEqual({ startMs: Date.parse('2026-11-26T01:00:00Z'), endMs: Date.parse('2026-11-26T01:00:00Z') });
    expect(dateSpan('soon')).toBeUndefined();
  });

  it('reads a plain date exactly as the pattern ^(\\d{4})-(\\d{2})-(\\d{2})$ then Date.UTC, and anything else through Date.parse (fuzz)', () => {
    const reference = (text: string) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (m) {
        const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
        return Number.isFinite(utc) ? { startMs: utc - 14 * 3_600_000, endMs: utc + 36 * 3_600_000 - 1 } : undefined;
      }
      const ms = Date.parse(text);
      return Number.isFinite(ms) ? { startMs: ms, endMs: ms } : undefined;
    };
    const near = fc.string({ unit: fc.constantFrom(...'0123456789-T:Z+'.split(''), '٣', ' ', '\n'), maxLength: 12 });
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: n, maxLength: n });
    const dates = fc.tuple(digits(4), digits(2), digits(2)).map(([y, m, d]) => `${y}-${m}-${d}`);
    // Every digit of a date replaced by each character around the digits (and a non-ASCII one).
    for (let i = 0; i < 10; i++) {
      for (const c of ['/', ':', ' ', '٣', 'a', '-', '0']) {
        const text = `${'2026-11-26'.slice(0, i)}${c}${'2026-11-26'.slice(i + 1)}`;
        expect(dateSpan(text), text).toEqual(reference(text));
      }
    }
    fc.assert(
      fc.property(fc.oneof(near, dates, fc.string({ maxLength: 12 })), (text) => {
        expect(dateSpan(text)).toEqual(reference(text));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('dateSpan: a leap second', () => {
  it('reads 23:59:60 as the second after 23:59:59 (Date.parse alone gives NaN), fraction and offset kept', () => {
    expect(Number.isNaN(Date.parse('2016-12-31T23:59:60Z'))).toBe(true);
    expect(dateSpan('2016-12-31T23:59:60Z')).toEqual({ startMs: Date.parse('2017-01-01T00:00:00Z'), endMs: Date.parse('2017-01-01T00:00:00Z') });
    expect(dateSpan('2016-12-31T23:59:60.25+01:00')?.startMs).toBe(Date.parse('2016-12-31T23:00:00.25Z'));
    expect(dateSpan('2016-12-31T23:59:61Z')).toBeUndefined();
  });
});
