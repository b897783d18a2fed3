/**
 * EU Digital COVID Certificate verification (docs/FORMATS.md): decode, find the signer by kid, verify
 * the COSE signature, then check the signer's EKU, the validity window, the content schema and
 * the business rules. Every step is recorded for `verify --explain`. Never throws.
 */
import type { VerifyContext, VerifyResult, VerifyStep } from '../types.js';
import type { DisplayLine, Subject } from '../../shared/types.js';
import type { DccSigner } from '../trust/types.js';
import { CborDuplicateKeyError, CborError, isCborMap } from '../cose/cbor.js';
import { COSE_ALG, CoseError, coseAlg, coseAlgRefusal, coseAlgText, coseCriticalProblem, coseKeyProblem, coseKid, coseKidProblem, ecdsaSignatureShapeProblem, isPssWithOtherSalt, verifyCoseSign1 } from '../cose/cose.js';
import type { CoseSign1 } from '../cose/cose.js';
import { CwtClaimError, decodeCwtClaims, decodeCwtClaimsJsonAt } from '../cose/cwt.js';
import type { CwtClaims } from '../cose/cwt.js';
import { decodeHc1, kidBase64 } from './decode.js';
import { certificateIdKeys, dccCertificateId, dccDetails, dccSubject } from './display.js';
import { DccJsonError, cborToJson, tagToJson } from './json.js';
import type { JsonValue } from './json.js';
import { evaluateRules, ruleReasonId, selectRules } from './rules.js';
import { validateDccSchema } from './schema.js';
import type { DccGroup } from './schema.js';
import { signerFacts } from './signers.js';
import type { SignerFacts } from './signers.js';
import { StepLog, passStep } from '../step-log.js';
import type { ReasonCode } from '../../shared/reasons.js';
import { DEFAULT_TIME_RULES, checkTokenTimes, windowFailure } from '../time-rules.js';
import { checkDccMeaning } from './meaning.js';
import { isoTime } from '../iso-time.js';
import { DedupText, bytesAsText, publicKeyIdentity, signedDedupText } from '../dedup-text.js';

/** CWT claim -260 (hcert), inside it key 1 (the EU DCC). */
const CLAIM_HCERT = -260;
const HCERT_DCC = 1;
const DCC_PATH = [CLAIM_HCERT, HCERT_DCC] as const;

export interface DccVerifyOptions {
  /** Country of arrival (ISO 3166 alpha-2) passed to rules as `external.countryCode`. */
  countryCode?: string;
}

const GROUP_NAME: Record<DccGroup, string> = { v: 'vaccination', t: 'test', r: 'recovery' };

/** The passed steps whose text never changes, made once (frozen) instead of on every scan. */
const PASSED = {
  claims: passStep('claims'),
  content: passStep('content'),
  noRules: passStep('rules', 'no applicable rules'),
  allTypes: passStep('eku', 'no DCC extended key usage: all types allowed'),
  schema: {
    v: passStep('schema', `${GROUP_NAME.v} certificate`),
    t: passStep('schema', `${GROUP_NAME.t} certificate`),
    r: passStep('schema', `${GROUP_NAME.r} certificate`),
  } satisfies Record<DccGroup, unknown>,
} as const;

/** A StepLog that also collects rule descriptions and builds the DCC result. */
class Run extends StepLog {
  readonly messages: string[] = [];
  readonly findings: ReasonCode[] = [];
  /** Set once the signature has verified (VerifyResult.dedupText). */
  dedupText: DedupText | undefined;

  /** The result so far; `details` only when the DCC's type is known. Built once per scan, so no spreads. */
  result(subject: Subject = {}, statusKeys: string[] = [], details?: DisplayLine[]): VerifyResult {
    const r: VerifyResult = {
      format: 'dcc',
      failures: this.failures,
      findings: this.findings,
      identityOnly: false,
      subject,
      statusKeys,
      steps: this.steps,
      title: 'EU DCC',
    };
    if (details) r.details = details;
    if (this.messages.length) r.messages = this.messages;
    if (this.dedupText !== undefined) r.dedupText = this.dedupText;
    return r;
  }
}

/**
 * The passed kid step, kept per signer list: the trust index returns the same list for a kid for
 * the bundle's lifetime, so the step (frozen) is made once per kid, not per scan. The kid and the
 * list length are compared on each use (a list is not bound to one kid by contract).
 */
const kidSteps = new WeakMap<readonly DccSigner[], { kid: string; count: number; step: Readonly<VerifyStep> }>();
function kidStep(kid: string, candidates: readonly DccSigner[]): Readonly<VerifyStep> {
  const hit = kidSteps.get(candidates);
  if (hit && hit.kid === kid && hit.count === candidates.length) return hit.step;
  const step = passStep('kid', `${kid} (${candidates.length} certificate${candidates.length > 1 ? 's' : ''})`);
  kidSteps.set(candidates, { kid, count: candidates.length, step });
  return step;
}

/** The passed signature step, kept per signer (as kidStep), checked against alg and country. */
const signatureSteps = new WeakMap<DccSigner, { alg: number; country: string | undefined; step: Readonly<VerifyStep> }>();
function signatureStep(alg: number, signer: DccSigner): Readonly<VerifyStep> {
  const hit = signatureSteps.get(signer);
  if (hit && hit.alg === alg && hit.country === signer.country) return hit.step;
  const step = passStep('signature', `alg ${String(alg)}${signer.country ? `, signer ${signer.country}` : ''}`);
  signatureSteps.set(signer, { alg, country: signer.country, step });
  return step;
}

/** The signer whose signature verified, the kid's list of certificates and its place in it. */
interface FoundSigner {
  signer: DccSigner;
  facts: SignerFacts;
  candidates: readonly DccSigner[];
  index: number;
}

/** Tries each certificate listed for the kid (several may share one); returns the first that verified. */
function findSigner(run: Run, cose: CoseSign1, ctx: VerifyContext): FoundSigner | undefined {
  const kid = coseKid(cose);
  if (!kid) {
    run.fail('kid', 'unknown-signer', coseKidProblem(cose) ?? 'no kid in the protected or unprotected header');
    return undefined;
  }
  const kidB64 = kidBase64(kid);
  const candidates = ctx.trust.dccSigners(kidB64);
  if (candidates.length === 0) {
    run.fail('kid', 'unknown-signer', coseKidProblem(cose) ?? `no trusted signer with kid ${kidB64}`);
    return undefined;
  }
  run.passed(kidStep(kidB64, candidates));
  const alg = coseAlg(cose);
  // The DCC spec (eu-dcc-hcert-spec §3.3.1) allows ES256 and PS256 only, as docs/FORMATS.md says;
  // ES384/ES512/PS384/PS512, which the COSE layer can check, are other formats' algorithms.
  if (alg !== COSE_ALG.ES256 && alg !== COSE_ALG.PS256) {
    run.fail('signature', 'bad-signature', coseAlgRefusal(cose, 'ES256 -7 or PS256 -37 only'));
    return undefined;
  }
  const critical = coseCriticalProblem(cose);
  if (critical) {
    run.fail('signature', 'bad-signature', critical);
    return undefined;
  }
  // A certificate whose key cannot make this algorithm's signatures (another curve, RSA under
  // 2048 bits: coseKeyProblem), or whose validity cannot be read (signers.ts: a NaN bound would
  // pass every window check), is never used; when it is the only one, its problem is named.
  let keyProblem: string | undefined;
  for (let index = 0; index < candidates.length; index++) {
    const signer = candidates[index]!;
    const facts = signerFacts(signer.certificate);
    if (!facts.key) continue;
    if (facts.validityProblem !== undefined) {
      keyProblem ??= facts.validityProblem;
      continue;
    }
    const problem = coseKeyProblem(alg, facts.key);
    if (problem !== undefined) {
      keyProblem ??= problem;
      continue;
    }
    if (verifyCoseSign1(cose, facts.key)) {
      run.passed(signatureStep(alg, signer));
      return { signer, facts, candidates, index };
    }
  }
  run.fail('signature', 'bad-signature', signatureFailure(cose, alg, candidates, keyProblem));
  return undefined;
}

/** Why no certificate for the kid verified the signature, as precisely as can be told. */
function signatureFailure(cose: CoseSign1, alg: number, candidates: readonly DccSigner[], keyProblem: string | undefined): string {
  if (keyProblem !== undefined && candidates.length === 1) {
    return signerFacts(candidates[0]!.certificate).validityProblem !== undefined
      ? `the signer certificate cannot be used: ${keyProblem}`
      : `the signer certificate cannot make ${coseAlgText(alg)} signatures: ${keyProblem}`;
  }
  // An ES256 signature of the wrong length (ASN.1 DER, cut) verifies with no certificate: say so.
  const shape = ecdsaSignatureShapeProblem(alg, cose.signature);
  if (shape !== undefined) return shape;
  if (alg === COSE_ALG.PS256) {
    for (const c of candidates) {
      const key = signerFacts(c.certificate).key;
      if (key !== undefined && isPssWithOtherSalt(cose, key)) {
        return 'RSASSA-PSS signature made with a salt length other than 32 bytes (RFC 8230: the digest length), which PS256 does not allow';
      }
    }
  }
  return 'signature does not verify with any certificate for this kid';
}

/**
 * Claims → the DCC as JSON; undefined (and a recorded failure) when the structure is wrong. The
 * usual payload is read in one pass straight into JSON; anything that pass cannot take (malformed,
 * not JSON-shaped, no DCC) is read again in two passes, which name the problem.
 */
function readClaims(run: Run, cose: CoseSign1): { claims: CwtClaims; dcc: JsonValue } | undefined {
  const fast = decodeCwtClaimsJsonAt(cose.payload, DCC_PATH, tagToJson);
  if (fast) {
    run.passed(PASSED.claims);
    return { claims: fast.claims, dcc: fast.json };
  }
  let claims: CwtClaims;
  try {
    claims = decodeCwtClaims(cose.payload);
  } catch (err) {
    // Decoded, but a claim of the wrong type or a key given twice: the structure is wrong
    // (docs/POLICY.md schema-invalid, as CKD1 says it); anything else is broken encoding.
    if (err instanceof CwtClaimError || err instanceof CborDuplicateKeyError) {
      run.fail('claims', 'schema-invalid', `CWT claims: ${err.message}`);
      return undefined;
    }
    if (err instanceof CborError || err instanceof CoseError) {
      run.fail('claims', 'unreadable', `CWT claims: ${err.message}`);
      return undefined;
    }
    throw err;
  }
  const hcert = claims.claims.get(CLAIM_HCERT);
  const raw = hcert !== undefined && isCborMap(hcert) ? hcert.get(HCERT_DCC) : undefined;
  if (raw === undefined) {
    run.fail('claims', 'unreadable', 'no EU DCC in claim -260/1');
    return undefined;
  }
  try {
    const dcc = cborToJson(raw);
    run.pass('claims');
    return { claims, dcc };
  } catch (err) {
    if (err instanceof DccJsonError) {
      // Not JSON-shaped (byte strings, integer keys, odd tags): a structural defect, not content.
      run.fail('claims', 'unreadable', `${err.field || '$'}: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

const GROUPS: readonly DccGroup[] = ['v', 't', 'r'];

/** Names of the groups (v/t/r) the DCC declares that the signer may not sign, in v, t, r order. */
function refusedGroups(dcc: JsonValue, allowed: ReadonlySet<DccGroup>): string[] {
  const refused: string[] = [];
  if (typeof dcc !== 'object' || dcc === null || Array.isArray(dcc)) return refused;
  for (const g of GROUPS) {
    if (Object.prototype.hasOwnProperty.call(dcc, g) && !allowed.has(g)) refused.push(GROUP_NAME[g]);
  }
  return refused;
}

/**
 * The passed eku step for a signer's allowed set ("allowed: vaccination, test"): depends on the
 * certificate only, so made once per set (frozen).
 */
const allowedSteps = new WeakMap<ReadonlySet<DccGroup>, Readonly<VerifyStep>>();
function allowedStep(allowed: ReadonlySet<DccGroup>): Readonly<VerifyStep> {
  let step = allowedSteps.get(allowed);
  if (step === undefined) {
    step = passStep('eku', `allowed: ${Array.from(allowed, (g) => GROUP_NAME[g]).join(', ')}`);
    allowedSteps.set(allowed, step);
  }
  return step;
}

function checkEku(run: Run, facts: SignerFacts, dcc: JsonValue): void {
  if (!facts.allowed) return run.passed(PASSED.allTypes);
  const refused = refusedGroups(dcc, facts.allowed);
  if (refused.length > 0) {
    return run.fail('eku', 'signer-not-allowed', `signer may not sign ${refused.join(', ')} certificates`);
  }
  run.passed(allowedStep(facts.allowed));
}

/**
 * Validity with the shared time rules (time-rules.ts, RFC 7519/8392 semantics and one clock-skew
 * tolerance): at the validation clock the signer certificate must be within its own validity, the
 * CWT not past `exp`, and not issued (`iat`) in the future. The EU vectors and gateway verifiers
 * do not require notBefore ≤ iat or exp ≤ notAfter (real issuers in ES, FR, LU, SG, BG and HU
 * break those in good faith), so neither is checked.
 */
function checkValidity(run: Run, facts: SignerFacts, claims: CwtClaims, ctx: VerifyContext): void {
  if (claims.iat === undefined || claims.exp === undefined) {
    return run.fail('validity', 'schema-invalid', `CWT claim ${claims.iat === undefined ? 'iat' : 'exp'} missing`);
  }
  // Expiring before being issued is no validity period at all (as CKD1 and CKP1 refuse it); the
  // clock tolerance would otherwise accept such a pair within minutes of both.
  if (claims.exp < claims.iat) return run.fail('validity', 'schema-invalid', 'CWT claim exp is before iat');
  const now = ctx.now.getTime();
  const rules = ctx.time ?? DEFAULT_TIME_RULES;
  const cert = windowFailure(facts.notBefore, facts.notAfter, now, 'the signer certificate', rules);
  if (cert) return run.fail('validity', cert.reason, cert.detail);
  const token = checkTokenTimes({ iat: claims.iat, exp: claims.exp, nbf: claims.nbf }, now, rules);
  if (!token.ok) return run.fail('validity', token.reason, token.detail);
  run.pass('validity', token.detail);
}

/** Whether a signer certificate may sign this DCC at this clock: within its validity, EKU allowing the DCC's groups. */
function signerFits(facts: SignerFacts, dcc: JsonValue, ctx: VerifyContext): boolean {
  if (windowFailure(facts.notBefore, facts.notAfter, ctx.now.getTime(), 'the signer certificate', ctx.time ?? DEFAULT_TIME_RULES)) return false;
  return !facts.allowed || refusedGroups(dcc, facts.allowed).length === 0;
}

/**
 * The signer to judge the DCC by. Usually the one whose signature verified first. But when
 * several certificates share the kid and that one is expired, not yet valid or may not sign this
 * type, a later one that verifies too (the same key certified again: a renewed DSC, or one with
 * other EKUs) and fits is taken: the bundle trusts the key under either certificate, and the
 * verdict must not depend on the order the gateway listed them in. Costs nothing in the usual
 * case (one certificate per kid, or the first fits).
 */
function bestSigner(run: Run, found: FoundSigner, cose: CoseSign1, dcc: JsonValue, ctx: VerifyContext): { signer: DccSigner; facts: SignerFacts } {
  if (found.candidates.length === 1 || signerFits(found.facts, dcc, ctx)) return found;
  const alg = coseAlg(cose)!;
  for (let i = found.index + 1; i < found.candidates.length; i++) {
    const signer = found.candidates[i]!;
    const facts = signerFacts(signer.certificate);
    if (!facts.key || facts.validityProblem !== undefined || coseKeyProblem(alg, facts.key) !== undefined || !signerFits(facts, dcc, ctx)) continue;
    if (verifyCoseSign1(cose, facts.key)) {
      run.pass('signer', `certificate ${i + 1} of ${found.candidates.length} for this kid also verifies and is the one valid for this certificate now`);
      return { signer, facts };
    }
  }
  return found;
}

/** CWT seconds → ISO text for the rules' `external` (undefined stays undefined). */
function iso(seconds: number | undefined): string | undefined {
  if (seconds === undefined) return undefined;
  // Held to years 0000–9999: beyond what a Date holds (an exp of 2^64 − 1 s) toISOString throws
  // and the scan ended as an internal error, and CertLogic cannot read the extended years
  // (+036812-…) ISO writes after 9999, so every rule using the time failed.
  return isoTime(Math.min(Math.max(seconds * 1000, FIRST_ISO_MS), LAST_ISO_MS));
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the span of four-digit ISO years. */
const FIRST_ISO_MS = -62167219200000;
const LAST_ISO_MS = 253402300799999;

/** The kiosk's own content checks (meaning.ts): failures reject, findings refer. */
function checkMeaning(run: Run, group: DccGroup, dcc: JsonValue, ctx: VerifyContext): void {
  const issues = checkDccMeaning(dcc, group, ctx);
  for (const issue of issues) {
    if (issue.kind === 'failure') {
      run.fail('content', issue.reason, issue.detail);
    } else {
      run.steps.push({ step: 'content', ok: true, detail: issue.detail });
      if (!run.findings.includes(issue.reason)) run.findings.push(issue.reason);
      run.messages.push(issue.detail);
    }
  }
  if (issues.length === 0) run.passed(PASSED.content);
}

/** An ISO 3166-1 alpha-2 code, any case (the CWT `iss` of a DCC, eu-dcc-hcert-spec §3.3.1). */
const COUNTRY_CODE = /^[A-Za-z]{2}$/;
/** A text starting with such a code as a word of its own ("CH BAG", as Swiss DCCs write `iss`). */
const LEADING_COUNTRY_CODE = /^([A-Za-z]{2})[ _-]/;

/**
 * The issuing country of a DCC: its CWT `iss` when that is a country code; else the signer's
 * `country` in the trust bundle; else a code `iss` starts with as a word ("CH BAG" → CH); else
 * none. Issuers write other text in `iss` (Switzerland "CH BAG", Georgia its ministry's name):
 * taken as the country it named no country, so the issuer's Invalidation rules never applied.
 */
export function issuingCountry(iss: string | undefined, signerCountry: string | undefined): string | undefined {
  if (iss !== undefined && COUNTRY_CODE.test(iss)) return iss;
  if (signerCountry !== undefined) return signerCountry;
  return iss === undefined ? undefined : LEADING_COUNTRY_CODE.exec(iss)?.[1];
}

/**
 * The rules that apply (selectRules: Acceptance rules of the country of arrival when one is set,
 * Invalidation rules of the issuing country only — issuingCountry: the CWT `iss` when it is a
 * country code, else the signer's country; none when neither names one) and
 * their outcome on `{payload, external}`. `external` carries the EU parameters the verifier apps
 * give: `validationClockAtStartOfDay` is the start of the validation clock's UTC day, as the EU
 * and Swiss verifiers compute it.
 */
function checkRules(run: Run, group: DccGroup, dcc: JsonValue, claims: CwtClaims, signer: DccSigner, ctx: VerifyContext, opts: DccVerifyOptions): void {
  const issuerCountryCode = issuingCountry(claims.iss, signer.country);
  const rules = selectRules(ctx.trust.dccRules, group, ctx.now, issuerCountryCode === undefined ? opts : { ...opts, issuerCountryCode });
  if (rules.length === 0) return run.passed(PASSED.noRules);
  const clock = ctx.now.toISOString();
  const external = {
    valueSets: ctx.trust.dccValueSets,
    validationClock: clock,
    validationClockAtStartOfDay: `${clock.slice(0, 10)}T00:00:00Z`,
    countryCode: opts.countryCode,
    issuerCountryCode,
    exp: iso(claims.exp),
    iat: iso(claims.iat),
    kid: signer.kid,
  };
  const failed = evaluateRules(rules, dcc, external).filter((o) => !o.passed);
  // One message per failed rule: the step's detail (identifier and description) is what the
  // officer sees; adding the description to `messages` as well showed every failure twice.
  for (const o of failed) run.fail('rules', `rule-failed:${ruleReasonId(o.rule)}`, `${o.rule.Identifier}: ${o.detail ?? ''}`);
  if (failed.length === 0) run.pass('rules', `${rules.length} rules passed`);
}

function verifyUnsafe(text: string, ctx: VerifyContext, opts: DccVerifyOptions): VerifyResult {
  const run = new Run();
  const decoded = decodeHc1(text, run.steps);
  if (!decoded.ok) {
    run.failures.push(decoded.reason);
    return run.result();
  }
  const found = findSigner(run, decoded.cose, ctx);
  if (!found) return run.result();
  // The same credential however it is re-encoded: the key that verified and the COSE payload. The
  // key, not the certificate: the certificates sharing a kid that certify it again (bestSigner)
  // all verify the same signature.
  const key = found.facts.key!;
  const { payload } = decoded.cose;
  run.dedupText = new DedupText(() => signedDedupText(publicKeyIdentity(key), bytesAsText(payload)));
  const read = readClaims(run, decoded.cose);
  if (!read) return run.result();
  const { claims, dcc } = read;
  const signer = bestSigner(run, found, decoded.cose, dcc, ctx);

  checkEku(run, signer.facts, dcc);
  checkValidity(run, signer.facts, claims, ctx);
  const schema = validateDccSchema(dcc, ctx.trust.dccValueSets);
  if (schema.ok) {
    run.passed(PASSED.schema[schema.group]);
    checkMeaning(run, schema.group, dcc, ctx);
    checkRules(run, schema.group, dcc, claims, signer.signer, ctx, opts);
  } else {
    run.fail('schema', 'schema-invalid', `${schema.field}: ${schema.message}`);
  }
  const group = schema.ok ? schema.group : undefined;
  const ci = group ? dccCertificateId(dcc, group) : undefined;
  return run.result(dccSubject(dcc, run.messages), ci ? certificateIdKeys(ci) : [], group ? dccDetails(dcc, group) : undefined);
}

/** Verifies HC1 text. Never throws: an unexpected internal error becomes `unreadable`. */
export function verifyDcc(text: string, ctx: VerifyContext, opts: DccVerifyOptions = {}): VerifyResult {
  try {
    return verifyUnsafe(text, ctx, opts);
  } catch (err) {
    const run = new Run();
    run.fail('internal', 'unreadable', `internal error: ${err instanceof Error ? err.name : 'unknown'}`);
    return run.result();
  }
}
