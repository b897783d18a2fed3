/**
 * Verifications per second and p99 per format, next to the floor: the bare node:crypto
 * signature check of the same signed bytes, in the same run (issue 3). The ratio is the cost
 * of one full verification over the cost of its signature check (aim ≤ 1.3).
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { dccFormat, extractDccSignatureInput } from '../src/credentials/dcc/index.js';
import { shcFormat } from '../src/credentials/shc/index.js';
import { decodeShcNumeric } from '../src/credentials/shc/numeric.js';
import { issueShc } from '../src/credentials/shc/issue.js';
import { declarationFormat, issueDeclaration } from '../src/credentials/declaration/index.js';
import { issueProvisioningCard, verifyProvisioningCard } from '../src/credentials/provisioning/index.js';
import { base45Decode } from '../src/credentials/cose/base45.js';
import { inflateBounded } from '../src/credentials/cose/inflate.js';
import { COSE_ALG, coseAlg, coseKid, parseCoseSign1, sigStructure, verifySignature } from '../src/credentials/cose/cose.js';
import { parseTrustBundle } from '../src/credentials/trust/load.js';
import type { CredentialFormat, VerifyContext } from '../src/credentials/types.js';
import { LIMITS } from '../src/credentials/types.js';
import { DCC_EKU, issueHc1, makeSigner, sampleVaccination } from '../test/helpers/dcc-issuer.js';
import { buildDccTrust } from '../test/helpers/dcc-trust.js';
import { sampleDeclaration, declarationTrust, ISSUER } from '../test/helpers/declaration.js';
import { newEcKey, SHC_EXAMPLE_ISS, shcExampleFhirBundle, shcExamplePublicJwks, shcExampleSigningKeys } from '../test/helpers/keys.js';
import { aimed, latencyStats, type Row } from './lib.js';

const N = Number(process.env.BENCH_VERIFY_N ?? 10_000);

interface Case {
  name: string;
  format: CredentialFormat;
  text: string;
  ctx: VerifyContext;
  /** The bare signature check of the same input. */
  floor: () => boolean;
}

const ROUNDS = 20;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Times the floor and the full verification in alternating rounds (ROUNDS of n/ROUNDS calls each,
 * the order swapped every round), so a change in machine load hits both sides alike. Per side:
 * the median per-call time over rounds (µs) and the p99 of single calls; the ratio is the median
 * of the per-round ratios.
 */
function measurePair(floorFn: () => unknown, fullFn: () => unknown, n: number) {
  for (let i = 0; i < 2000; i++) {
    floorFn();
    fullFn();
  } // warm up: let the JIT settle before timing
  const per = Math.max(1, Math.floor(n / ROUNDS));
  const side = () => ({ rounds: [] as number[], samples: [] as number[] });
  const floor = side();
  const full = side();
  const round = (fn: () => unknown, into: ReturnType<typeof side>) => {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) {
      const s = performance.now();
      fn();
      into.samples.push((performance.now() - s) * 1000);
    }
    into.rounds.push(((performance.now() - t0) * 1000) / per);
  };
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      round(floorFn, floor);
      round(fullFn, full);
    } else {
      round(fullFn, full);
      round(floorFn, floor);
    }
  }
  return {
    floorUs: median(floor.rounds),
    fullUs: median(full.rounds),
    ratio: median(full.rounds.map((f, i) => f / floor.rounds[i]!)),
    floorP99: latencyStats(floor.samples).p99,
    fullP99: latencyStats(full.samples).p99,
  };
}

async function cases(): Promise<Case[]> {
  const now = new Date('2022-06-01T00:00:00Z');
  const out: Case[] = [];
  for (const keyType of ['ec', 'rsa'] as const) {
    const signer = makeSigner({ keyType, eku: [DCC_EKU.vaccination] });
    const text = issueHc1({ dcc: sampleVaccination(), signer });
    const trust = buildDccTrust([signer.certificate]);
    const input = extractDccSignatureInput(text, trust);
    if (!input) throw new Error('bench: DCC sample did not decode');
    out.push({
      name: `dcc ${keyType === 'ec' ? 'ES256' : 'PS256'}`,
      format: dccFormat,
      text,
      ctx: { now, trust },
      floor: () => verifySignature(input.alg, input.publicKey, input.sigStructure, input.signature),
    });
  }

  const shcKey = shcExampleSigningKeys()[0]!;
  // The example bundle's last dose is dated 2022-09-05: a card verified before it would hold a
  // dose from the future (not-yet-valid), so the card is checked at a later clock.
  const shcNow = new Date('2022-10-01T00:00:00Z');
  const shcText = await issueShc({ iss: SHC_EXAMPLE_ISS, nbf: shcNow.getTime() / 1000 - 86400, fhirBundle: shcExampleFhirBundle() }, shcKey);
  const shcTrust = parseTrustBundle({ version: 1, issuedAt: now.toISOString(), shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, jwks: shcExamplePublicJwks() }] } });
  const decoded = decodeShcNumeric(shcText);
  if (!decoded.ok) throw new Error('bench: SHC sample did not decode');
  const [h, p, s] = decoded.jws.split('.');
  const shcSigned = Buffer.from(`${h}.${p}`);
  const shcSig = Buffer.from(s ?? '', 'base64url');
  const shcPub = createPublicKey({ key: shcKey.publicJwk, format: 'jwk' });
  out.push({
    name: 'shc ES256',
    format: shcFormat,
    text: shcText,
    ctx: { now: shcNow, trust: shcTrust },
    floor: () => cryptoVerify('sha256', shcSigned, { key: shcPub, dsaEncoding: 'ieee-p1363' }, shcSig),
  });

  const declKey = newEcKey();
  const ckd = issueDeclaration(sampleDeclaration(), { privateKey: declKey.privateKey, kid: declKey.declarationKid }, { iss: ISSUER, now });
  const ckdTrust = declarationTrust(declKey);
  const cose = parseCoseSign1(inflateBounded(base45Decode(ckd.slice(5)), LIMITS.maxInflatedBytes));
  const ckdKid = Buffer.from(coseKid(cose) ?? []).toString('base64');
  const ckdPub: KeyObject = ckdTrust.declarationIssuer(ckdKid)!.key;
  const ckdSigned = sigStructure(cose.protectedBytes, cose.payload);
  const ckdAlg = coseAlg(cose)!;
  out.push({
    name: 'ckd1 ES256',
    format: declarationFormat,
    text: ckd,
    ctx: { now, trust: ckdTrust },
    floor: () => verifySignature(ckdAlg, ckdPub, ckdSigned, cose.signature),
  });

  // A provisioning card as a fresh kiosk checks it (signature under the key it carries). Not a
  // credential format (never a check-in): adapted to the same shape for the measurement.
  const rootKey = newEcKey();
  const card = issueProvisioningCard({ url: ISSUER, code: 'K7QM-2XRP-9HTD', checkpoint: 'GATE-7', config: { duplicateWindowMinutes: 2 } }, rootKey.privateKey, { now, validHours: 24 });
  const cardCose = parseCoseSign1(inflateBounded(base45Decode(card.slice(5)), LIMITS.maxInflatedBytes));
  const cardSigned = sigStructure(cardCose.protectedBytes, cardCose.payload);
  const cardFormat = {
    id: 'ckd1',
    detect: () => true,
    verify: (text: string, ctx: VerifyContext) => {
      const r = verifyProvisioningCard(text, { now: ctx.now });
      return { failures: r.ok ? [] : [r.reason] } as unknown as ReturnType<CredentialFormat['verify']>;
    },
  } as CredentialFormat;
  out.push({
    name: 'ckp1 card ES256',
    format: cardFormat,
    text: card,
    ctx: { now, trust: ckdTrust },
    floor: () => verifySignature(COSE_ALG.ES256, rootKey.publicKey, cardSigned, cardCose.signature),
  });
  return out;
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of await cases()) {
    const check = await c.format.verify(c.text, c.ctx);
    if (check.failures.length > 0 || !c.floor()) throw new Error(`bench: ${c.name} sample does not verify: ${check.failures.join(',')}`);
    // Formats are synchronous here; an async verify would be awaited per call by the pipeline.
    const m = measurePair(c.floor, () => c.format.verify(c.text, c.ctx), N);
    rows.push(
      aimed({ bench: 'verify', metric: `${c.name} verifications/s`, value: 1e6 / m.fullUs, unit: '1/s', floor: 1e6 / m.floorUs, ratio: m.ratio, ratioMeaning: 'cost / bare signature check (median of 20 alternating rounds)' }, '≤ 1.3'),
      { bench: 'verify', metric: `${c.name} p99`, value: m.fullP99, unit: 'µs', floor: m.floorP99, ratio: m.fullP99 / m.floorP99, ratioMeaning: 'p99 / bare p99' },
    );
  }
  return rows;
}
