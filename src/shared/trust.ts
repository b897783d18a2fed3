/**
 * The trust bundle JSON (docs/TRUST-BUNDLE.md, contract). Every section is optional.
 */
export interface TrustBundleJson {
  version: 1;
  issuedAt: string;
  dcc?: {
    signers?: { kid?: string; country?: string; certificate: string }[];
    rules?: unknown[];
    valueSets?: Record<string, string[]>;
  };
  shc?: { issuers?: { iss: string; name?: string; jwks: { keys: Record<string, unknown>[] } }[] };
  declaration?: { issuers?: { kid: string; name?: string; jwk: Record<string, unknown> }[] };
  status?: { entries?: StatusEntry[] };
}

export interface StatusEntry {
  /** ID number, QID or declaration id. */
  id: string;
  /** f0 (confirmed case), f1 (close contact), quarantine, blocked; others allowed. */
  status: string;
  /** ISO time after which the entry no longer applies. */
  until?: string;
}
