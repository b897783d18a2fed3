/**
 * Booth officers as the technician registers them: an officer id (badge number, never a name)
 * and a random 8-digit sign-in code the kiosk generates and shows once. Only the scrypt hash of
 * the code is kept (store setting `booth.officers`, JSON). The id is what every override and
 * manual entry of that officer records. Ids are one officer whatever their letter case
 * (OFFICER-117 and officer-117): issuing, revoking and signing in compare them case-insensitively,
 * and the spelling recorded is the one the code was issued for.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { CheckInStore } from '../../store/types.js';
import { checkPin, hashPin } from '../tech-pin.js';

export const OFFICERS_SETTING = 'booth.officers';
/** Officer ids: letters, digits and . _ : - (a badge number), 1-32 characters. */
export const OFFICER_ID = /^[\w.:-]{1,32}$/;
export const MAX_OFFICERS = 200;
export const OFFICER_CODE_DIGITS = 8;

interface OfficerRecord {
  id: string;
  hash: string;
  issuedAt: string;
}

export interface OfficerListing {
  id: string;
  issuedAt: string;
}

export class OfficerRegistry {
  private dummy: Promise<string> | undefined;

  constructor(
    private readonly store: Pick<CheckInStore, 'getSetting' | 'setSetting'>,
    private readonly scryptN: number,
  ) {}

  list(): OfficerListing[] {
    return this.read().map(({ id, issuedAt }) => ({ id, issuedAt }));
  }

  /** Issues (or re-issues, replacing the old code) a code for `id`; returns the code in clear, once. */
  async issue(id: string, at: string): Promise<string> {
    if (!OFFICER_ID.test(id)) throw new Error('officer id must be 1-32 letters, digits or . _ : -');
    const others = this.read().filter((o) => !sameId(o.id, id));
    if (others.length >= MAX_OFFICERS) throw new Error(`at most ${MAX_OFFICERS} officers; revoke one first`);
    const code = Array.from({ length: OFFICER_CODE_DIGITS }, () => String(randomInt(10))).join('');
    others.push({ id, hash: await hashPin(code, this.scryptN), issuedAt: at });
    this.write(others);
    return code;
  }

  /** Removes the officer; false when there was none with this id. */
  revoke(id: string): boolean {
    const all = this.read();
    const kept = all.filter((o) => !sameId(o.id, id));
    this.write(kept);
    return kept.length !== all.length;
  }

  /** True when `code` is this officer's. An unknown id costs the same scrypt as a known one. */
  async verify(id: string, code: string): Promise<boolean> {
    const found = this.read().find((o) => sameId(o.id, id));
    this.dummy ??= hashPin(randomBytes(16).toString('hex'), this.scryptN);
    const ok = await checkPin(code, found?.hash ?? (await this.dummy));
    return found !== undefined && ok;
  }

  /** The registered spelling of this officer's id, undefined when none. */
  canonical(id: string): string | undefined {
    return this.read().find((o) => sameId(o.id, id))?.id;
  }

  private read(): OfficerRecord[] {
    const raw = this.store.getSetting(OFFICERS_SETTING);
    if (!raw) return [];
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (!Array.isArray(parsed)) return [];
      return parsed.filter((o): o is OfficerRecord => typeof o?.id === 'string' && typeof o?.hash === 'string' && typeof o?.issuedAt === 'string');
    } catch {
      return [];
    }
  }

  private write(list: OfficerRecord[]): void {
    this.store.setSetting(OFFICERS_SETTING, JSON.stringify(list));
  }
}

/** Officer ids compare without regard to letter case (ASCII: ids are letters, digits and . _ : -). */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
