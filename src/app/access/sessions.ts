/**
 * Who is signed in on the kiosk's screens: random bearer tokens, each bound to a role and an
 * actor (the officer's id, or "technician"), expiring after a period without use. Every booth
 * and technician call names its token; the API asks `check(token, role)` before doing anything,
 * whichever transport (Electron IPC, web-mode WebSocket) carried the call. Held in memory only:
 * a restart signs everyone out, which is the safe direction.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/ports.js';

export type Role = 'officer' | 'technician';

export interface Session {
  role: Role;
  /** Officer id (badge number) or "technician": what the audit log and overrides record. */
  actor: string;
  idleMs: number;
  lastSeen: number;
}

/** More open sessions than this and the least recently used one is closed. */
const MAX_SESSIONS = 32;

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: Clock) {}

  /** Opens a session; the token is 32 random bytes in hex (64 characters). */
  open(role: Role, actor: string, idleMs: number): { token: string; expiresAt: string } {
    const token = randomBytes(32).toString('hex');
    const now = this.clock.now();
    this.sessions.set(token, { role, actor, idleMs, lastSeen: now });
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return { token, expiresAt: new Date(now + idleMs).toISOString() };
  }

  /** The live session of this role behind the token (its idle timer renewed), else undefined. */
  check(token: string | null | undefined, role: Role): Session | undefined {
    if (!token) return undefined;
    const s = this.sessions.get(token);
    if (!s) return undefined;
    const now = this.clock.now();
    if (now - s.lastSeen > s.idleMs) {
      this.sessions.delete(token);
      return undefined;
    }
    if (s.role !== role) return undefined;
    s.lastSeen = now;
    // Re-insert: Map order is the eviction order (least recently used first).
    this.sessions.delete(token);
    this.sessions.set(token, s);
    return s;
  }

  /** Whether the session of this role behind the token is live, without renewing its idle timer. */
  alive(token: string, role: Role): boolean {
    const s = this.sessions.get(token);
    if (!s || s.role !== role) return false;
    if (this.clock.now() - s.lastSeen > s.idleMs) {
      this.sessions.delete(token);
      return false;
    }
    return true;
  }

  close(token: string): void {
    this.sessions.delete(token);
  }

  /** Signs out every session of a role, or of one actor of it (a revoked officer; letter case ignored, as officer ids are). */
  closeAll(role: Role, actor?: string): void {
    const who = actor?.toLowerCase();
    for (const [token, s] of this.sessions) if (s.role === role && (who === undefined || s.actor.toLowerCase() === who)) this.sessions.delete(token);
  }
}
