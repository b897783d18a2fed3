/**
 * Per-signer facts derived from its certificate, computed once and cached per X509Certificate
 * object (the trust index keeps those alive for the bundle's lifetime): the public KeyObject, the
 * validity window and which DCC types its Extended Key Usage allows.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { DccGroup } from './schema.js';

/**
 * DCC signer EKUs (hcert spec §5.1.1): .1 test, .2 vaccination, .3 recovery. Some early
 * certificates and test vectors carry the same arc with an extra `0` (1.3.6.1.4.1.0.1847…).
 */
const EKU_GROUP: ReadonlyMap<string, DccGroup> = new Map([
  ['1.3.6.1.4.1.1847.2021.1.1', 't'],
  ['1.3.6.1.4.1.1847.2021.1.2', 'v'],
  ['1.3.6.1.4.1.1847.2021.1.3', 'r'],
  ['1.3.6.1.4.1.0.1847.2021.1.1', 't'],
  ['1.3.6.1.4.1.0.1847.2021.1.2', 'v'],
  ['1.3.6.1.4.1.0.1847.2021.1.3', 'r'],
]);

export interface SignerFacts {
  key: KeyObject | undefined;
  /** Milliseconds since the epoch. */
  notBefore: number;
  notAfter: number;
  /**
   * DCC types the certificate may sign; undefined = none of the DCC EKU OIDs present = all types
   * (hcert spec §5.1.1). Other EKUs (TLS client, e-mail, ICAO) do not restrict DCC signing: the
   * EU test vectors accept signers that carry only those.
   */
  allowed: ReadonlySet<DccGroup> | undefined;
}

const cache = new WeakMap<X509Certificate, SignerFacts>();

function computeFacts(cert: X509Certificate): SignerFacts {
  let key: KeyObject | undefined;
  try {
    key = cert.publicKey;
  } catch {
    key = undefined; // unsupported key type: no signature can verify with it
  }
  const groups = new Set<DccGroup>();
  // Node's `keyUsage` is the Extended Key Usage OID list (undefined when the extension is absent).
  for (const oid of cert.keyUsage ?? []) {
    const g = EKU_GROUP.get(oid);
    if (g) groups.add(g);
  }
  return {
    key,
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    allowed: groups.size > 0 ? groups : undefined,
  };
}

export function signerFacts(cert: X509Certificate): SignerFacts {
  let facts = cache.get(cert);
  if (!facts) {
    facts = computeFacts(cert);
    cache.set(cert, facts);
  }
  return facts;
}
