/**
 * What a credential is known by in the duplicate window (docs/POLICY.md, "Duplicates") when that is
 * not the text on its QR code: `VerifyResult.dedupText`.
 *
 * A signed credential (EU DCC, SMART Health Card, CKD1) is what its signer signed, so its text is
 * the signer's identity and the signed payload (the COSE payload bytes; the JWS payload after
 * inflating), never the encoding around them: base45 or numeric-mode text, the zlib level, the
 * CBOR tag, where the kid sits, the chunked form, the signature. ECDSA signatures are not unique
 * (a fresh signature, or (r, n − s) for (r, s), verifies as well), and a re-signature of the same
 * payload by the same signer is the same credential. It is set only once the signature has
 * verified: an unverified reading has no signer, and keeps its QR text, so it can never fold into
 * a verified one (docs/POLICY.md).
 */
import { createHash, type KeyObject } from 'node:crypto';

/**
 * VerifyResult.dedupText: the text, built when asked for (`text()`), by the format that read the
 * credential. What it is built from stays private (a `#` field): it may hold what a result must
 * never carry where it is shown, logged or serialised — an address, an EXT field, the whole signed
 * payload — so JSON.stringify of a result shows `{}` for it, and two results compare equal (in
 * tests) on everything else. Building it on demand keeps it off the cost of `verify`.
 */
export class DedupText {
  readonly #make: () => string;

  /** `make` builds the text; it is called on each text(), synchronously, after verification. */
  constructor(make: () => string) {
    this.#make = make;
  }

  /** The text (may be long: up to a whole signed payload, ≤ 64 KiB). Never store or log it. */
  text(): string {
    return this.#make();
  }
}

/**
 * `signed:<n>:<signer>:<payload>`, n the length of `signer` in UTF-16 code units: the length makes
 * the split unambiguous, so two (signer, payload) pairs give one text only when both parts are
 * equal, whatever characters they hold. `signer` names the key that verified (publicKeyIdentity);
 * `payload` is the signed content as text
 * (bytesAsText for binary payloads). The result can be long (up to a QR's payload, ≤ 64 KiB): the
 * store keeps only a keyed hash of it.
 */
export function signedDedupText(signer: string, payload: string): string {
  return `signed:${signer.length}:${signer}:${payload}`;
}

/**
 * Bytes as text, one character per byte (latin1: U+0000–U+00FF), so equal texts mean equal bytes.
 * A view onto the same memory, no copy before the string is made.
 */
export function bytesAsText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Identities of public keys, one per KeyObject (the trust index keeps those alive). */
const keyIds = new WeakMap<KeyObject, string>();

/**
 * A signer's identity: `spki:` and the base64 SHA-256 of its public key's SubjectPublicKeyInfo
 * (DER, RFC 5280 §4.1.2.7). The key, because it is what made the signature: a kid is only a short
 * name for it (8 bytes for a DCC or CKD1, and several DCC certificates may share one), and a DCC
 * signer certified again (a renewed certificate, the same key) signs the same. Computed once per
 * key object.
 */
export function publicKeyIdentity(key: KeyObject): string {
  let id = keyIds.get(key);
  if (id === undefined) {
    id = `spki:${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64')}`;
    keyIds.set(key, id);
  }
  return id;
}
