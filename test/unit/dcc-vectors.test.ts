/**
 * The EU DCC test vectors (../shared/testdata/dgc, eu-digital-green-certificates/dgc-testdata):
 * each file's PREFIX is verified at its TESTCTX.VALIDATIONCLOCK against a trust index holding only
 * its TESTCTX.CERTIFICATE. Accept exactly when every EXPECTED* flag present is true; otherwise a
 * failure reason matching a flag that is false, and no reason that no false flag explains.
 *
 * A vector without EXPECTEDEXPIRATIONCHECK does not test time at all (the EU test runners skip
 * that check then; several such vectors carry an iat days after their validation clock), so a time
 * reason is neither required nor refused there. The age limit on tests (policy testMaxAgeHours) is
 * a checkpoint's own rule that the EU vectors do not know: it is not applied here; the content
 * checks themselves (positive test, recovery window, future dates, series) are.
 *
 * known_issues.csv: a row with a test_set excludes that file. A row without one (e.g.
 * `test_cose_schema,NL,,…`) says that one check is unreliable for the whole country: those files
 * still run, but that check's verdict is not asserted either way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeHc1, verifyDcc } from '../../src/credentials/dcc/index.js';
import { coseAlg } from '../../src/credentials/cose/cose.js';
import type { ReasonCode } from '../../src/shared/reasons.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dgcRoot = path.resolve(repoRoot, '../shared/testdata/dgc');

/** Which failure reasons stand for each EXPECTED* flag being false. */
const FLAG_REASONS: Record<string, readonly ReasonCode[]> = {
  EXPECTEDUNPREFIX: ['unreadable'],
  EXPECTEDB45DECODE: ['unreadable'],
  EXPECTEDCOMPRESSION: ['unreadable', 'too-large'],
  EXPECTEDDECODE: ['unreadable', 'too-large'],
  EXPECTEDVALIDJSON: ['unreadable'],
  EXPECTEDVERIFY: ['bad-signature', 'unknown-signer'],
  EXPECTEDEXPIRATIONCHECK: ['expired', 'not-yet-valid'],
  EXPECTEDSCHEMAVALIDATION: ['schema-invalid'],
  EXPECTEDKEYUSAGE: ['signer-not-allowed'],
};
const IGNORED_FLAGS = new Set(['EXPECTEDPICTUREDECODE', 'EXPECTEDENCODE', 'EXPECTEDVALIDOBJECT']);
/** known_issues.csv test names → the flag that test checks. */
const TEST_FLAG: Record<string, string> = {
  test_cose_schema: 'EXPECTEDSCHEMAVALIDATION',
  test_verification_check: 'EXPECTEDVERIFY',
  test_expiration_check: 'EXPECTEDEXPIRATIONCHECK',
  test_expected_key_usage: 'EXPECTEDKEYUSAGE',
  test_cose_json: 'EXPECTEDVALIDJSON',
  test_cbor_json: 'EXPECTEDDECODE',
};

/**
 * Vectors we knowingly disagree with, and why. The test asserts each of these DOES miss, so the
 * table cannot go stale or silently grow.
 */
const KNOWN_MISSES: Record<string, string> = {
  'IS/2DCode/raw/3.json':
    'signer EKU is only the ICAO OID 2.23.136.1.1.14.2 (no DCC OID → all types allowed, as the ES and CO15 vectors require); the vector expects a key-usage failure',
  'ES/2DCode/raw/1502.json':
    'a recovery certificate whose du lies before the validation clock: the kiosk\'s own content check says expired (recovery valid only df..du); the vector checks the CWT exp alone',
  'ES/2DCode/raw/1103.json':
    'test result "NEGATIVO" is not a code of the EU value set covid-19-lab-result: the kiosk does not take it as a negative test (schema-invalid); the vector expects the schema to pass',
  'ES/2DCode/raw/1503.json':
    'dob 2021-05-07 is after the sample time sc 2021-05-01: a certificate that cannot be true, schema-invalid for the kiosk (birth-date rules in FORMATS.md); the vector was generated with the day it was made as the birth date',
  'ES/2DCode/raw/2101.json':
    'dob 2021-05-28 lies after the validation clock (2021-05-25): a future birth date is schema-invalid, as the NL vectors with a future dob expect; the ES vector expects the schema to pass',
  'ES/2DCode/raw/2102.json':
    'dob 2021-05-28 lies after the validation clock (2021-05-25) and after the first positive test fr 2021-04-06: schema-invalid for the kiosk, as the NL vectors with a future dob expect',
  'ES/2DCode/raw/2103.json':
    'dob 2021-05-28 lies after the validation clock (2021-05-25) and after the sample time sc 2021-05-10: schema-invalid for the kiosk, as the NL vectors with a future dob expect',
  'common/2DCode/raw/CBO2.json':
    'the COSE bytes are not a COSE structure (integer 0 followed by 425 bytes): we reject as unreadable at the COSE step, the vector labels it a verify failure',
};

interface KnownIssues {
  excludedFiles: Set<string>;
  /** country → flags not asserted for that country. */
  relaxed: Map<string, Set<string>>;
}

function readKnownIssues(): KnownIssues {
  const excludedFiles = new Set<string>();
  const relaxed = new Map<string, Set<string>>();
  const lines = fs.readFileSync(path.join(dgcRoot, 'known_issues.csv'), 'utf8').split(/\r?\n/).slice(1);
  for (const line of lines) {
    const [testName, country, testSet] = line.split(',');
    if (!testName || !country) continue;
    if (testSet) {
      excludedFiles.add(`${country}/${testSet}`);
    } else {
      const flag = TEST_FLAG[testName];
      if (!flag) throw new Error(`known_issues.csv: unknown test ${testName}`);
      const set = relaxed.get(country) ?? new Set<string>();
      set.add(flag);
      relaxed.set(country, set);
    }
  }
  return { excludedFiles, relaxed };
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []))
    .sort();
}

interface Vector {
  name: string;
  country: string;
  json: {
    PREFIX: string;
    TESTCTX: { CERTIFICATE: string; VALIDATIONCLOCK: string };
    EXPECTEDRESULTS: Record<string, boolean>;
  };
}

const known = readKnownIssues();
const vectors: Vector[] = walk(dgcRoot)
  .map((file) => {
    const name = path.relative(dgcRoot, file).split(path.sep).join('/');
    const country = name.split('/')[0]!;
    return { name, country, json: JSON.parse(fs.readFileSync(file, 'utf8')) as Vector['json'] };
  })
  .filter((v) => !known.excludedFiles.has(`${v.country}/${path.basename(v.name, '.json')}`));

/** UTC when the clock has no zone designator. */
function parseClock(clock: string): Date {
  return new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(clock) ? clock : `${clock}Z`);
}

function check(v: Vector): { ok: boolean; why: string } {
  const relaxed = known.relaxed.get(v.country) ?? new Set<string>();
  const falseFlags = Object.entries(v.json.EXPECTEDRESULTS)
    .filter(([flag, value]) => value === false && !IGNORED_FLAGS.has(flag) && !relaxed.has(flag))
    .map(([flag]) => flag);
  const expected = new Set(falseFlags.flatMap((f) => FLAG_REASONS[f] ?? []));
  const untested = v.json.EXPECTEDRESULTS['EXPECTEDEXPIRATIONCHECK'] === undefined ? FLAG_REASONS['EXPECTEDEXPIRATIONCHECK']! : [];
  const tolerated = new Set([...expected, ...[...relaxed].flatMap((f) => FLAG_REASONS[f] ?? []), ...untested]);

  const result = verifyDcc(v.json.PREFIX, {
    now: parseClock(v.json.TESTCTX.VALIDATIONCLOCK),
    trust: buildDccTrust([v.json.TESTCTX.CERTIFICATE]),
    testMaxAgeHours: Number.POSITIVE_INFINITY,
  });
  const got = result.failures;
  const why = `expected ${falseFlags.join(',') || 'accept'}, got ${got.join(',') || 'accept'}`;
  const unexplained = got.filter((r) => !tolerated.has(r));
  if (unexplained.length > 0) return { ok: false, why };
  if (falseFlags.length > 0 && !got.some((r) => expected.has(r))) return { ok: false, why };
  return { ok: true, why };
}

describe('EU DCC test vectors', () => {
  it('finds the vectors and every known miss among them', () => {
    expect(vectors.length).toBeGreaterThan(400);
    const names = new Set(vectors.map((v) => v.name));
    for (const miss of Object.keys(KNOWN_MISSES)) expect(names.has(miss), miss).toBe(true);
  });

  it('covers both required algorithms with accepted vectors (ES256 and PS256)', () => {
    const accepted = (name: string) => {
      const v = vectors.find((x) => x.name === name)!;
      const decoded = decodeHc1(v.json.PREFIX);
      return { alg: decoded.ok ? coseAlg(decoded.cose) : undefined, ok: check(v).ok && v.json.EXPECTEDRESULTS['EXPECTEDVERIFY'] === true };
    };
    expect(accepted('DE/2DCode/raw/1.json')).toEqual({ alg: -7, ok: true });
    expect(accepted('ES/2DCode/raw/1001.json')).toEqual({ alg: -37, ok: true });
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', (name, v) => {
    const { ok, why } = check(v);
    if (KNOWN_MISSES[name]) {
      expect(ok, `listed as a known miss but now passes: ${why}`).toBe(false);
    } else {
      expect(ok, why).toBe(true);
    }
  });
});
