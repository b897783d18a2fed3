/**
 * Issuing provisioning cards (CKP1) on the server: a one-time enrollment code whose lifetime is
 * the card's, recorded as a card (for the fleet dashboard), and the signed card text. The code
 * lives only inside the card; the database keeps its SHA-256 hash.
 */
import type { KeyObject } from 'node:crypto';
import QRCode from 'qrcode';
import { issueProvisioningCard } from '../src/credentials/provisioning/index.js';
import type { ProvisioningCard } from '../src/credentials/provisioning/index.js';
import type { CentralDb } from './db.js';
import { addEnrollmentCode, newEnrollmentCode, normaliseCode } from './enrollment.js';
import { sqliteFleetStore } from './fleet-store.js';
import { sha256Hex } from './secrets.js';

export interface CardRequest {
  url: string;
  checkpoint: string;
  direction?: 'in' | 'out';
  profile?: 'venue' | 'booth';
  config?: ProvisioningCard['config'];
  ttlHours: number;
}

export interface IssuedCard {
  card: string;
  checkpoint: string;
  issuedAt: string;
  expiresAt: string;
}

/** Registers a fresh code and signs the card, in one transaction. Throws on an invalid request. */
export function issueCard(db: CentralDb, rootPrivateKey: KeyObject, req: CardRequest, nowMs: number): IssuedCard {
  const code = newEnrollmentCode();
  const now = new Date(nowMs);
  const expiresAt = new Date(nowMs + req.ttlHours * 3_600_000).toISOString();
  const fleet = sqliteFleetStore(db);
  // Sign first: a request the kiosks would refuse must not leave a live code behind.
  const card = issueProvisioningCard(
    {
      url: req.url,
      code,
      checkpoint: req.checkpoint,
      ...(req.direction ? { direction: req.direction } : {}),
      ...(req.profile ? { profile: req.profile } : {}),
      ...(req.config ? { config: req.config } : {}),
    },
    rootPrivateKey,
    { now, validHours: req.ttlHours },
  );
  db.transaction(() => {
    addEnrollmentCode(db, code, nowMs, req.ttlHours);
    fleet.recordCard({
      codeHash: sha256Hex(normaliseCode(code)),
      checkpoint: req.checkpoint,
      ...(req.direction ? { direction: req.direction } : {}),
      ...(req.profile ? { profile: req.profile } : {}),
      issuedAt: now.toISOString(),
      expiresAt,
    });
  })();
  return { card, checkpoint: req.checkpoint, issuedAt: now.toISOString(), expiresAt };
}

/** PNG bytes of the card's QR code (error correction M, as printed cards are handled). */
export async function cardPng(card: string): Promise<Buffer> {
  return QRCode.toBuffer(card, { errorCorrectionLevel: 'M', margin: 4, scale: 6, type: 'png' });
}
