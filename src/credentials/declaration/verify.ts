/**
 * CKD1 verification (docs/FORMATS.md): prefix → base45 → bounded zlib → COSE_Sign1 (ES256 only) →
 * issuer by kid from the trust bundle → signature → CWT iat/exp → "decl" shape → health findings.
 * Never throws: every problem is a failure reason with a step saying which check failed.
 */
import { Base45Error, base45Decode } from '../cose/base45.js';
import { base64Text } from '../cose/base64.js';
import { CborError } from '../cose/cbor.js';
import { COSE_ALG, CoseError, coseAlg, coseAlgRefusal, coseCriticalProblem, coseDecodeProblemText, coseKid, coseKidProblem, ecdsaSignatureShapeProblem, parseCoseSign1, sigStructure, verifySignature } from '../cose/cose.js';
import type { CoseSign1 } from '../cose/cose.js';
import { decodeCwtClaims, decodeCwtClaimsJsonAt } from '../cose/cwt.js';
import type { CwtClaims } from '../cose/cwt.js';
import { InflateError, inflateBounded } from '../cose/inflate.js';
import type { ReasonCode } from '../../shared/reasons.js';
import { LIMITS } from '../types.js';
import type { VerifyContext, VerifyResult, VerifyStep } from '../types.js';
import { isValidTime, isoTime } from '../iso-time.js';
import { readDeclaration } from './schema.js';
import type { Declaration } from './types.js';
import { DEFAULT_TIME_RULES, checkTokenTimes, isFuture } from '../time-rules.js';
import { CKD1_PREFIX, DECLARATION_LIMITS, MAX_VALID_HOURS } from './types.js';
import { base45PrefixProblem, hasPrefixAnyCase } from '../base45-prefix.js';
import { earliestTestMs } from './test-time.js';
import { dobSpan } from '../dcc/birth-date.js';
import { passStep } from '../step-log.js';
import { DedupText, bytesAsText, publicKeyIdentity, signedDedupText } from '../dedup-text.js';
import type { DeclarationIssuer } from '../trust/types.js';

/** The passed steps whose text never changes, made once (frozen) instead of on every scan. */
const PASSED = { decode: passStep('decode', 'COSE_Sign1'), signature: passStep('signature'), content: passStep('content') } as const;


/** Maps a decoding error to a reason. Anything unexpected is still `unreadable`: verify never throws. */
function decodeFailure(err: unknown): { reason: ReasonCode; detail: string } {
  if (err instanceof InflateError) {
    return { reason: err.code === 'too-large' ? 'too-large' : 'unreadable', detail: err.message };
  }
  if (err instanceof CborError || err instanceof CoseError) return { reason: 'unreadable', detail: coseDecodeProblemText(err) };
  if (err instanceof Base45Error) return { reason: 'unreadable', detail: err.message };
  return { reason: 'unreadable', detail: 'undecodable payload' };
}

/** A rejection after `steps`: one failure, its detail as the message. */
function fail(steps: VerifyStep[], reason: ReasonCode, step: string, detail: string): VerifyResult {
  steps.push({ step, ok: false, detail });
  return { format: 'ckd1', failures: [reason], findings: [], identityOnly: false, subject: {}, statusKeys: [], steps, messages: [detail] };
}

export function verifyDeclaration(text: string, ctx: VerifyContext): VerifyResult {
  const steps: VerifyStep[] = [];
  if (text.length > LIMITS.maxTextChars) return fail(steps, 'too-large', 'decode', `QR text longer than ${LIMITS.maxTextChars} characters`);
  if (!hasPrefixAnyCase(text, CKD1_PREFIX)) return fail(steps, 'unreadable', 'decode', 'missing CKD1: prefix');
  const prefixProblem = base45PrefixProblem(text, CKD1_PREFIX);
  if (prefixProblem !== undefined) return fail(steps, 'unreadable', 'decode', prefixProblem);

  let msg: CoseSign1;
  try {
    const compressed = base45Decode(text.slice(CKD1_PREFIX.length), LIMITS.maxTextChars);
    const cose = inflateBounded(compressed, LIMITS.maxInflatedBytes);
    msg = parseCoseSign1(cose);
  } catch (err) {
    const { reason, detail } = decodeFailure(err);
    return fail(steps, reason, 'decode', detail);
  }
  steps.push(PASSED.decode);

  const alg = coseAlg(msg);
  if (alg !== COSE_ALG.ES256) return fail(steps, 'bad-signature', 'header', coseAlgRefusal(msg, 'ES256 only'));
  const critical = coseCriticalProblem(msg);
  if (critical) return fail(steps, 'bad-signature', 'header', critical);
  const kidBytes = coseKid(msg);
  if (!kidBytes) return fail(steps, 'unknown-signer', 'issuer', coseKidProblem(msg) ?? 'no kid in the COSE header');
  const kid = base64Text(kidBytes);
  const issuer = ctx.trust.declarationIssuer(kid);
  if (!issuer) return fail(steps, 'unknown-signer', 'issuer', coseKidProblem(msg) ?? `issuer key ${kid} not in the trust bundle`);
  steps.push({ step: 'issuer', ok: true, detail: issuer.name ?? kid });

  if (!verifySignature(COSE_ALG.ES256, issuer.key, sigStructure(msg.protectedBytes, msg.payload), msg.signature)) {
    return fail(steps, 'bad-signature', 'signature', ecdsaSignatureShapeProblem(COSE_ALG.ES256, msg.signature) ?? 'ES256 signature does not verify');
  }
  steps.push(PASSED.signature);
  const result = readSigned(msg, issuer, steps, ctx);
  // The same declaration however it is re-encoded: the issuer key and the COSE payload it signed.
  const payload = msg.payload;
  result.dedupText = new DedupText(() => signedDedupText(publicKeyIdentity(issuer.key), bytesAsText(payload)));
  return result;
}

/** The claims and declaration of a message whose signature verified: the rest of verifyDeclaration. */
function readSigned(msg: CoseSign1, issuer: DeclarationIssuer, steps: VerifyStep[], ctx: VerifyContext): VerifyResult {
  // Authentic from here on; the content may still be malformed (an issuer bug), which is schema-invalid.
  const fast = readClaimsOnePass(msg.payload);
  let claims: CwtClaims;
  let decl: Declaration;
  if (fast) {
    claims = fast.claims;
  } else {
    try {
      claims = decodeCwtClaims(msg.payload);
    } catch (err) {
      return fail(steps, 'schema-invalid', 'claims', decodeFailure(err).detail);
    }
  }
  if (typeof claims.iss !== 'string' || claims.iss.length > DECLARATION_LIMITS.issChars) {
    return fail(steps, 'schema-invalid', 'claims', 'iss missing or too long');
  }
  if (claims.iat === undefined || claims.exp === undefined) return fail(steps, 'schema-invalid', 'claims', 'iat or exp missing');
  // Expiring before being issued is no validity period at all: said as the DCC says it.
  if (claims.exp < claims.iat) return fail(steps, 'schema-invalid', 'claims', 'CWT claim exp is before iat');
  if (claims.exp - claims.iat > MAX_VALID_HOURS * 3600) {
    return fail(steps, 'schema-invalid', 'claims', `validity period (exp − iat) longer than ${MAX_VALID_HOURS} hours`);
  }

  const failures: ReasonCode[] = [];
  // The shared time rules (RFC 8392 iat/exp with the policy's clock tolerance).
  const time = checkTokenTimes({ iat: claims.iat, exp: claims.exp, nbf: claims.nbf }, ctx.now.getTime(), ctx.time ?? DEFAULT_TIME_RULES);
  if (!time.ok) failures.push(time.reason);
  steps.push({ step: 'validity', ok: time.ok, detail: time.detail });

  if (fast) {
    decl = fast.decl;
  } else {
    const read = readDeclaration(claims.claims.get('decl'));
    if (!read.ok) {
      failures.push('schema-invalid');
      steps.push({ step: 'content', ok: false, detail: read.detail });
      return { format: 'ckd1', failures, findings: [], identityOnly: false, subject: {}, statusKeys: [], steps, messages: [read.detail] };
    }
    decl = read.decl;
  }
  steps.push(PASSED.content);

  const findings: ReasonCode[] = [];
  const messages: string[] = [];
  if (decl.health.symptoms.length > 0) {
    findings.push('symptoms');
    messages.push(`Declared symptoms: ${decl.health.symptoms.join(', ')}`);
  }
  if (decl.health.exposure) {
    findings.push('exposure');
    messages.push('Declared contact with a confirmed case');
  }
  // A positive test is a finding whatever its age: the declaration says it, and the officer judges
  // it (the token itself is valid 72 hours by default; FORMATS.md).
  if (decl.health.test?.result === 'positive') {
    findings.push('positive-test');
    messages.push(`Positive test on ${decl.health.test.at}`);
  }
  // A birth date in the future, or after the declared test, cannot be true: schema-invalid, as a
  // DCC's or a SMART Health Card's (the /declare form refuses a future date before signing, but a
  // bundle may trust other issuers).
  const birthProblem = birthDateProblem(decl, ctx);
  if (birthProblem !== undefined) {
    failures.push('schema-invalid');
    steps.push({ step: 'content', ok: false, detail: birthProblem });
    messages.push(birthProblem);
  }
  // A test taken in the future is not yet a test (as a DCC's sample time or an SHC dose).
  if (decl.health.test !== undefined) {
    const earliest = earliestTestMs(decl.health.test.at);
    if (earliest !== undefined && isFuture(earliest, ctx.now.getTime(), ctx.time ?? DEFAULT_TIME_RULES)) {
      failures.push('not-yet-valid');
      const detail = 'decl.health.test.at: the test time is in the future';
      steps.push({ step: 'test', ok: false, detail });
      messages.push(detail);
    }
  }
  const details = [
    { label: 'Trip', value: `${decl.trip.from} → ${decl.trip.to}` },
    { label: 'Purpose', value: decl.trip.purpose },
    { label: 'Valid until', value: isoOrRaw(claims.exp) },
    { label: 'Issuer', value: issuer.name ?? claims.iss },
  ];
  if (decl.health.test) details.push({ label: 'Test', value: `${decl.health.test.result} (${decl.health.test.at})` });
  return {
    format: 'ckd1',
    failures,
    findings,
    identityOnly: false,
    subject: { idType: decl.sub.idType, idNo: decl.sub.idNo, name: decl.sub.name, dob: decl.sub.dob },
    statusKeys: statusKeysOf(decl),
    steps,
    title: 'Entry declaration',
    details,
    messages,
  };
}

/** A small letter or white space: an ID number that may be written otherwise in a status list. */
const NOT_AS_PRINTED = /[a-z\s]/;

/**
 * The ids the status list is asked about: the declared ID number, also as printed — in capitals,
 * without white space — when it was written otherwise (ID numbers are printed in capitals:
 * passports, QIDs; the /declare form signs them as typed, and another issuer the bundle trusts may
 * group digits, '001 090 000001'), so an entry written as printed no longer misses them; the
 * unified QR reader upper-cases its ID field likewise. Then the declaration id.
 */
function statusKeysOf(decl: Declaration): string[] {
  const idNo = decl.sub.idNo;
  if (!NOT_AS_PRINTED.test(idNo)) return [idNo, decl.id];
  const printed = idNo.replace(/\s+/g, '').toUpperCase();
  return printed === idNo || printed === '' ? [idNo, decl.id] : [idNo, printed, decl.id];
}

/**
 * Why the declared birth date cannot be true at the validation clock, or undefined: in the future
 * (its first possible instant, a partial date counting from the start of its year or month, beyond
 * the clock tolerance), or after the declared test's calendar day (as written; a test on the day
 * of birth is fine). The shape and the day's existence were checked by readDeclaration.
 */
function birthDateProblem(decl: Declaration, ctx: VerifyContext): string | undefined {
  const birth = dobSpan(decl.sub.dob);
  if (birth === undefined || 'problem' in birth) return undefined;
  if (isFuture(birth.startMs, ctx.now.getTime(), ctx.time ?? DEFAULT_TIME_RULES)) return 'decl.sub.dob: the birth date is in the future';
  const at = decl.health.test?.at;
  if (at !== undefined) {
    const day = new Date(0);
    day.setUTCFullYear(Number(at.slice(0, 4)), Number(at.slice(5, 7)) - 1, Number(at.slice(8, 10)));
    if (day.getTime() < birth.firstDayUtc) return 'decl.sub.dob: the birth date is after the test date decl.health.test.at';
  }
  return undefined;
}

/** No CBOR tag has a meaning inside "decl": a tagged value sends the claims to the two-pass read. */
const NO_TAGS = (): undefined => undefined;

/**
 * The usual, valid payload in one pass: the claims with "decl" built directly as plain JSON
 * (decodeCwtClaimsJsonAt) and read as a declaration. Undefined, never a throw, for anything else:
 * malformed claims, a "decl" without a plain JSON form, or one readDeclaration refuses. The
 * caller then decodes the claims generically and reads "decl" from the CBOR map, which names the
 * problem; a declaration read from its JSON is the one read from the map (same members, same
 * values: readDeclaration looks members up by name and takes only text, numbers, booleans and
 * lists).
 */
function readClaimsOnePass(payload: Uint8Array): { claims: CwtClaims; decl: Declaration } | undefined {
  const r = decodeCwtClaimsJsonAt(payload, DECL_PATH, NO_TAGS);
  if (!r) return undefined;
  const read = readDeclaration(r.json);
  return read.ok ? { claims: r.claims, decl: read.decl } : undefined;
}

const DECL_PATH = ['decl'] as const;

/** ISO text of a claim in seconds, or the raw seconds when it is outside the Date range. */
function isoOrRaw(seconds: number): string {
  const ms = seconds * 1000;
  return isValidTime(ms) ? isoTime(ms) : `${seconds} s`;
}
