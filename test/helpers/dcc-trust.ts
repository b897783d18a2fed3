/**
 * A minimal TrustIndex for DCC tests, built directly from certificates (the real bundle loader
 * lives in src/credentials/trust/). kid = first 8 bytes of SHA-256 of the certificate DER.
 */
import { X509Certificate, createHash } from 'node:crypto';
import type { DccSigner, TrustIndex } from '../../src/credentials/trust/types.js';

export interface DccTrustInput {
  /** base64 DER, DER bytes or a parsed certificate. */
  certificate: string | Uint8Array | X509Certificate;
  /** Override the computed kid (base64), e.g. to put two certificates under one kid. */
  kid?: string;
  country?: string;
}

export interface DccTrustOptions {
  rules?: unknown[];
  valueSets?: Record<string, string[]>;
  issuedAt?: string;
}

function toSigner(input: DccTrustInput | string | Uint8Array | X509Certificate): DccSigner {
  const spec: DccTrustInput =
    typeof input === 'string' || input instanceof Uint8Array || input instanceof X509Certificate ? { certificate: input } : input;
  const c = spec.certificate;
  const certificate =
    c instanceof X509Certificate ? c : new X509Certificate(typeof c === 'string' ? Buffer.from(c, 'base64') : Buffer.from(c));
  const der = new Uint8Array(certificate.raw);
  const kid = spec.kid ?? createHash('sha256').update(der).digest().subarray(0, 8).toString('base64');
  return { kid, certificate, der, ...(spec.country ? { country: spec.country } : {}) };
}

export function buildDccTrust(
  signers: readonly (DccTrustInput | string | Uint8Array | X509Certificate)[],
  opts: DccTrustOptions = {},
): TrustIndex {
  const byKid = new Map<string, DccSigner[]>();
  for (const s of signers.map(toSigner)) {
    const list = byKid.get(s.kid) ?? [];
    list.push(s);
    byKid.set(s.kid, list);
  }
  return {
    issuedAt: opts.issuedAt ?? '2021-06-01T00:00:00Z',
    dccSigners: (kid) => byKid.get(kid) ?? [],
    dccRules: opts.rules ?? [],
    dccValueSets: opts.valueSets ?? {},
    shcIssuer: () => undefined,
    declarationIssuer: () => undefined,
    statuses: () => [],
  };
}
