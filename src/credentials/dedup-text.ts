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
import { createHash } from 'node:crypto';
import type { DccSigner } from './trust/types.js';

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
 * equal, whatever characters they hold. `signer` names the key that verified (a certificate
 * fingerprint, a JWK thumbprint, a kid bound to one key); `payload` is the signed content as text
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

/** Identities of DCC signer certificates, one per trust-bundle entry (the index keeps them alive). */
const certificateIds = new WeakMap<DccSigner, string>();

/**
 * A DCC signer's identity: `x509:` and the base64 SHA-256 of its certificate (DER). The kid is only
 * 8 bytes of that hash and several certificates may share one, so the certificate that verified
 * is named in full. Computed once per signer.
 */
export function dccSignerIdentity(signer: DccSigner): string {
  let id = certificateIds.get(signer);
  if (id === undefined) {
    id = `x509:${createHash('sha256').update(signer.der).digest('base64')}`;
    certificateIds.set(signer, id);
  }
  return id;
}
