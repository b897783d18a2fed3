/**
 * Issuing provisioning cards (CKP1) on the server: a one-time enrollment code whose lifetime is
 * the card's, recorded as a card (for the fleet dashboard), and the signed card text. The code
 * lives only inside the card; the database keeps its SHA-256 hash.
 */
import type { KeyObject } from 'node:crypto';
import QRCode from 'qrcode';
import { issueProvisioningCard } from '../src/credentials/provisioning/index.js';
import type { ProvisioningCard } from '../src/credentials/provisioning/index.js';
import { newEnrollmentCode, normaliseCode } from './enrollment.js';
import { sha256Hex } from './secrets.js';
import type { CentralStorage } from './storage/types.js';
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

/** Signs the card, then registers its code and the card in one transaction. Throws on an invalid request. */
export async function issueCard(storage: CentralStorage, rootPrivateKey: KeyObject, req: CardRequest, nowMs: number): Promise<IssuedCard> {
  const code = newEnrollmentCode();
  const now = new Date(nowMs);
  const expiresAtMs = nowMs + req.ttlHours * 3_600_000;
  const expiresAt = new Date(expiresAtMs).toISOString();
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
  const added = await storage.fleet.addProvisioningCard(
    { codeHash: sha256Hex(normaliseCode(code)), createdAtMs: nowMs, expiresAtMs },
    {
      checkpoint: req.checkpoint,
      ...(req.direction ? { direction: req.direction } : {}),
      ...(req.profile ? { profile: req.profile } : {}),
      issuedAt: now.toISOString(),
      expiresAt,
    },
  );
  if (!added) throw new Error('enrollment code collision; issue the card again');
  return { card, checkpoint: req.checkpoint, issuedAt: now.toISOString(), expiresAt };
}

/** PNG bytes of the card's QR code (error correction M, as printed cards are handled). */
export async function cardPng(card: string): Promise<Buffer> {
  return QRCode.toBuffer(card, { errorCorrectionLevel: 'M', margin: 4, scale: 6, type: 'png' });
}
