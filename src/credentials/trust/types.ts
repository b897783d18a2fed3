/**
 * What credential verifiers need from the trust bundle: an index, built once per bundle
 * (src/credentials/trust/ builds it from TrustBundleJson), looked up per scan.
 */
import type { X509Certificate, KeyObject } from 'node:crypto';
import type { StatusEntry } from '../../shared/trust.js';

export interface DccSigner {
  /** base64 of the 8-byte kid. */
  kid: string;
  country?: string;
  certificate: X509Certificate;
  der: Uint8Array;
}

export interface ShcIssuer {
  iss: string;
  name?: string;
  /** Public JWKs (EC P-256) with their `kid` (= JWK thumbprint). */
  keys: Record<string, unknown>[];
}

export interface DeclarationIssuer {
  kid: string;
  name?: string;
  key: KeyObject;
}

export interface TrustIndex {
  /** When the bundle was issued (ISO), for staleness alarms. */
  readonly issuedAt: string;
  dccSigners(kidBase64: string): readonly DccSigner[];
  readonly dccRules: readonly unknown[];
  readonly dccValueSets: Readonly<Record<string, string[]>>;
  shcIssuer(iss: string): ShcIssuer | undefined;
  declarationIssuer(kidBase64: string): DeclarationIssuer | undefined;
  /**
   * Every status-list entry for an ID number / QID / declaration id / DCC `ci` that is not past its
   * `until` at `at`, in bundle order (empty when none). All of them apply: a later `revoked` or
   * `blocked` is never hidden behind an earlier `quarantine` for the same id.
   */
  statuses(id: string, at: Date): readonly StatusEntry[];
}

/** An index with nothing in it: identity formats still work, signed ones fail `unknown-signer`. */
export const EMPTY_TRUST: TrustIndex = {
  issuedAt: '1970-01-01T00:00:00Z',
  dccSigners: () => [],
  dccRules: [],
  dccValueSets: {},
  shcIssuer: () => undefined,
  declarationIssuer: () => undefined,
  statuses: () => [],
};
