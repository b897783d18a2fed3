/**
 * The undisputed part of reading an HC1 payload: prefix → base45 → bounded inflate → COSE_Sign1,
 * each recorded as a step. Shared by verification and by the benchmark helper below.
 */
import type { KeyObject } from 'node:crypto';
import type { ReasonCode } from '../../shared/reasons.js';
import { LIMITS } from '../types.js';
import type { VerifyStep } from '../types.js';
import type { TrustIndex } from '../trust/types.js';
import { Base45Error, base45Decode } from '../cose/base45.js';
import { base64Text } from '../cose/base64.js';
import { CborError } from '../cose/cbor.js';
import { CoseError, coseAlg, coseDecodeProblemText, coseKid, parseCoseSign1, sigStructure } from '../cose/cose.js';
import type { CoseSign1 } from '../cose/cose.js';
import { InflateError, inflateBounded } from '../cose/inflate.js';
import { signerFacts } from './signers.js';
import { passStep } from '../step-log.js';
import { base45PrefixProblem, hasPrefixAnyCase } from '../base45-prefix.js';

export const HC1_PREFIX = 'HC1:';

/** The passed steps whose text never changes, made once (frozen) instead of on every scan. */
const PREFIX_PASSED = passStep('prefix');
const COSE_TAGGED = passStep('cose', 'COSE_Sign1 (tag 18)');
const COSE_UNTAGGED = passStep('cose', 'COSE_Sign1 (untagged)');

export type Hc1Decoded =
  | { ok: true; cose: CoseSign1; steps: VerifyStep[] }
  | { ok: false; reason: ReasonCode; steps: VerifyStep[] };

function fail(steps: VerifyStep[], step: string, reason: ReasonCode, detail: string): Hc1Decoded {
  steps.push({ step, ok: false, detail });
  return { ok: false, reason, steps };
}

/**
 * Decodes HC1 text up to a parsed COSE_Sign1. Never throws. The steps are appended to `steps`
 * (a new list by default), which the result returns.
 */
export function decodeHc1(text: string, steps: VerifyStep[] = []): Hc1Decoded {
  if (text.length > LIMITS.maxTextChars) {
    return fail(steps, 'prefix', 'too-large', `text longer than ${LIMITS.maxTextChars} characters`);
  }
  if (!hasPrefixAnyCase(text, HC1_PREFIX)) return fail(steps, 'prefix', 'unreadable', 'does not start with HC1:');
  const prefixProblem = base45PrefixProblem(text, HC1_PREFIX);
  if (prefixProblem !== undefined) return fail(steps, 'prefix', 'unreadable', prefixProblem);
  steps.push(PREFIX_PASSED);

  let compressed: Uint8Array;
  try {
    compressed = base45Decode(text.slice(HC1_PREFIX.length), LIMITS.maxTextChars);
  } catch (err) {
    if (err instanceof Base45Error) return fail(steps, 'base45', 'unreadable', err.message);
    throw err;
  }
  steps.push({ step: 'base45', ok: true, detail: `${compressed.length} bytes` });

  let cbor: Uint8Array;
  try {
    cbor = inflateBounded(compressed, LIMITS.maxInflatedBytes);
  } catch (err) {
    if (err instanceof InflateError) {
      return fail(steps, 'inflate', err.code === 'too-large' ? 'too-large' : 'unreadable', err.message);
    }
    throw err;
  }
  steps.push({ step: 'inflate', ok: true, detail: `${cbor.length} bytes` });

  try {
    const cose = parseCoseSign1(cbor);
    steps.push(cose.tagged ? COSE_TAGGED : COSE_UNTAGGED);
    return { ok: true, cose, steps };
  } catch (err) {
    if (err instanceof CborError || err instanceof CoseError) return fail(steps, 'cose', 'unreadable', coseDecodeProblemText(err));
    throw err;
  }
}

/** The kid as the trust index keys it: standard base64 (base64Text). */
export function kidBase64(kid: Uint8Array): string {
  return base64Text(kid);
}

/** What the bare signature check of one HC1 payload needs: the benchmark's floor. */
export interface DccSignatureInput {
  alg: number;
  sigStructure: Uint8Array;
  signature: Uint8Array;
  publicKey: KeyObject;
}

/**
 * Extracts the inputs of the signature check for `text` using the first signer the trust index
 * lists for its kid, so a benchmark can time `verifySignature(alg, publicKey, sigStructure,
 * signature)` (src/credentials/cose/cose.ts) against the full verification. Undefined when the
 * payload does not decode or has no known signer.
 */
export function extractDccSignatureInput(text: string, trust: TrustIndex): DccSignatureInput | undefined {
  const decoded = decodeHc1(text);
  if (!decoded.ok) return undefined;
  const { cose } = decoded;
  const kid = coseKid(cose);
  const alg = coseAlg(cose);
  if (!kid || alg === undefined) return undefined;
  const signer = trust.dccSigners(kidBase64(kid))[0];
  const publicKey = signer ? signerFacts(signer.certificate).key : undefined;
  if (!publicKey) return undefined;
  return { alg, sigStructure: sigStructure(cose.protectedBytes, cose.payload), signature: cose.signature, publicKey };
}
