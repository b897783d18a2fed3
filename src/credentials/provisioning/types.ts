/**
 * The CKP1 provisioning card (ours, a contract): a QR the central server issues so that a
 * technician enrolls and configures a kiosk by scanning it.
 *
 *   'CKP1:' + base45(zlib(COSE_Sign1 tag 18, ES256, protected {1: -7, 4: kid}, payload CWT
 *   {1 iss, 6 iat, 4 exp, "prov": {v: 1, url, code, rootKey, checkpoint, direction?, profile?, config?}}))
 *
 * kid = first 8 bytes of SHA-256 of the root key's SubjectPublicKeyInfo DER (as CKD1). The card
 * is signed by the root key it carries; a kiosk that already pins a root key also requires that
 * key's signature. A card is never a check-in.
 */
import type { JWK } from 'jose';
import type { Direction } from '../../shared/types.js';
import type { KioskProfileName, RemoteConfig } from '../../fleet/remote-config.js';

export const CKP1_PREFIX = 'CKP1:';

/** The root public key carried by a card: EC P-256, public members only. */
export interface CardRootKey extends JWK {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface ProvisioningCard {
  /** Server to enroll with (http or https URL). Equals the CWT `iss`. */
  url: string;
  /** One-time enrollment code (the card is single use because its code is). */
  code: string;
  rootKey: CardRootKey;
  checkpoint: string;
  direction?: Direction;
  profile?: KioskProfileName;
  config?: RemoteConfig;
}

/** A verified card with its validity window (ISO times). */
export interface VerifiedCard extends ProvisioningCard {
  issuedAt: string;
  expiresAt: string;
  /** base64 kid of the signing key. */
  kid: string;
}

export const PROVISIONING_LIMITS = {
  urlChars: 256,
  codeMinChars: 4,
  codeChars: 128,
  /** Longest life of a card (hours): a card is a short-lived, single-use secret. */
  maxValidHours: 7 * 24,
  /** Inflated COSE message (bytes): a card with a full policy fits in a few KiB. */
  maxInflatedBytes: 16 * 1024,
  /** Nesting of `prov` (config.policy.statusActions is the deepest legitimate path). */
  maxDepth: 6,
  /** Map entries and array items in `prov` altogether. */
  maxItems: 512,
} as const;

/** Default life of a card (hours). */
export const DEFAULT_CARD_TTL_HOURS = 24;

/** Tolerated issuer/kiosk clock difference for `iat` (milliseconds). */
export const CKP1_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Why a card was refused:
 * - unreadable: not CKP1, bad base45/zlib/CBOR/COSE
 * - too-large: over a size bound
 * - bad-signature: not ES256, kid not the carried key's, or the signature does not verify under
 *   the key the card carries (a forged card, or one whose rootKey was swapped)
 * - wrong-root-key: authentic in itself but not signed by the root key this kiosk already pins
 * - expired / not-yet-valid: outside iat..exp
 * - invalid: claims or `prov` content malformed (unknown keys included)
 */
export type CardRefusal = 'unreadable' | 'too-large' | 'bad-signature' | 'wrong-root-key' | 'expired' | 'not-yet-valid' | 'invalid';

export type CardCheck = { ok: true; card: VerifiedCard } | { ok: false; reason: CardRefusal; message: string };
