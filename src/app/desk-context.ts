/**
 * What the booth and technician halves of the UI API share with the service that holds them:
 * the dependencies, access control, the booth ledger and a few service operations.
 */
import type { Direction } from '../shared/types.js';
import type { Logger } from '../shared/ports.js';
import type { KioskStatus, ScanResult } from '../shared/api.js';
import type { Policy } from '../core/policy.js';
import type { KioskApiDeps } from './api.js';
import type { AccessControl } from './access/access-control.js';
import type { BoothLedger } from './booth-ledger.js';

export interface DeskContext {
  readonly deps: KioskApiDeps;
  readonly access: AccessControl;
  readonly ledger: BoothLedger;
  readonly log: Logger;
  status(): KioskStatus;
  emitStatus(): void;
  applyDirection(direction: Direction, actor: string): void;
  /** Runs a scan through the pipeline (committed before it resolves). */
  /** `enteredBy`: for a manual entry, the signed-in officer who typed it (CheckIn.manual.by). */
  scan(text: string, source: 'wedge' | 'manual', enteredBy?: string): Promise<ScanResult>;
  policy(): Policy;
  /** The technician session's actor, or ApiError 'unauthorized'. */
  tech(session: string): string;
  nowIso(): string;
}
