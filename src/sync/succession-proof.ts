/**
 * Proof of succession (protocol v1 extension, docs/PROTOCOL.md "Enrollment"): a kiosk enrolling
 * again shows it held the token of the device it was before, without sending that token.
 *
 *   proof = hex(HMAC-SHA256(key = hex(SHA-256(old token)), "checkpoint-kiosk succession v1\n" + old device id + "\n" + code))
 *
 * where `code` is the new enrollment code without whitespace and in upper case (as the server
 * compares codes). The key is the token's hash because that is what the server keeps; binding the
 * one-time code makes a proof useless for any other enrollment (a replay spends nothing).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { normaliseEnrollmentCode } from '../shared/enrollment-code.js';

const LABEL = 'checkpoint-kiosk succession v1';


/** The proof for `oldToken` of device `oldDeviceId` and the new enrollment `code` (64 hex digits). */
export function successionProof(oldToken: string, oldDeviceId: string, code: string): string {
  const key = createHash('sha256').update(oldToken, 'utf8').digest('hex');
  return proofWithKey(key, oldDeviceId, normaliseEnrollmentCode(code));
}

/** Server side: whether `proof` matches the stored token hash (hex SHA-256) of `oldDeviceId`. Constant time. */
export function successionProofMatches(proof: string, tokenHash: string, oldDeviceId: string, code: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(proof)) return false;
  return timingSafeEqual(Buffer.from(proof, 'hex'), Buffer.from(proofWithKey(tokenHash, oldDeviceId, normaliseEnrollmentCode(code)), 'hex'));
}

function proofWithKey(key: string, oldDeviceId: string, code: string): string {
  return createHmac('sha256', key).update(`${LABEL}\n${oldDeviceId}\n${code}`, 'utf8').digest('hex');
}
