/**
 * The tracing form of the operations room: what the duty officer typed (local date-times in the
 * dashboard's zone), the query it becomes, and the answer flattened into contact rows for the
 * table and the CSV download.
 */
import type { CheckIn } from '../../src/shared/types.js';
import { dateTimeProblem, parseTraceQuery } from '../trace.js';
import type { TraceContact, TraceQuery, TraceResult } from '../trace.js';
import { TIME, parseLocalDateTime, toLocalInput } from './local-time.js';

/** How far back the form looks by default: the 14-day incubation period. */
export const DEFAULT_TRACE_DAYS = 14;
export const DEFAULT_WINDOW_MINUTES = 30;

export interface TraceInput {
  idNo: string;
  /** `YYYY-MM-DDTHH:MM`, local. */
  from: string;
  to: string;
  windowMinutes: string;
}

export interface TraceView {
  input: TraceInput;
  /** Set when a query was sent but cannot run (the reason, naming the field). */
  error?: string;
  query?: TraceQuery;
  result?: TraceResult;
}

export interface ContactRow {
  landmark: CheckIn;
  /** Listed once in an answer, under its nearest landmark (`nearLandmarks` when it was near several). */
  contact: TraceContact;
  /** Contact time minus landmark time, in whole minutes (negative = before). */
  minutesApart: number;
}

const MAX_FIELD = 64;

function str(v: unknown): string {
  return typeof v === 'string' ? v.trim().slice(0, MAX_FIELD) : '';
}

/**
 * Reads the form from a query string. Without `idNo` nothing is asked (defaults shown); with it,
 * either `query` or `error` is set. `to` includes the whole minute it shows (the whole second when
 * seconds were typed): the query's range ends just after it.
 */
export function readTraceForm(params: Record<string, unknown>, timeZone: string, nowMs: number): TraceView {
  const input: TraceInput = {
    idNo: str(params.idNo),
    from: str(params.from) || toLocalInput(timeZone, nowMs - DEFAULT_TRACE_DAYS * TIME.DAY_MS),
    to: str(params.to) || toLocalInput(timeZone, nowMs),
    windowMinutes: str(params.windowMinutes) || String(DEFAULT_WINDOW_MINUTES),
  };
  if (!input.idNo) return { input };
  const fromMs = parseLocalDateTime(timeZone, input.from, { occurrence: 'first' });
  // The form shows whole minutes: "to 23:59" means through 23:59:59.999 (the query's end is
  // exclusive, so it is the next minute), and the default "to" (now) covers the minute under way.
  const toMs = parseLocalDateTime(timeZone, input.to, { occurrence: 'last' }) + (/T\d{2}:\d{2}:\d{2}/.test(input.to) ? 1000 : 60_000);
  // Named with what was typed (and why it does not exist, for a skipped wall time), not as "invalid".
  if (!Number.isFinite(fromMs)) return { input, error: dateTimeProblem('from', input.from, timeZone) };
  if (!Number.isFinite(toMs)) return { input, error: dateTimeProblem('to', input.to, timeZone) };
  const q = parseTraceQuery({
    idNo: input.idNo,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    windowMinutes: input.windowMinutes,
  }, timeZone);
  if (typeof q === 'string') return { input, error: q };
  return { input, query: q };
}

/** Every (landmark, contact) pair of an answer, in landmark order then contact time (each contact once, under its nearest landmark). */
export function contactRows(result: TraceResult): ContactRow[] {
  const rows: ContactRow[] = [];
  for (const l of result.landmarks) {
    const at = Date.parse(l.checkIn.scannedAt);
    for (const c of l.nearby) rows.push({ landmark: l.checkIn, contact: c, minutesApart: Math.round((Date.parse(c.scannedAt) - at) / 60_000) });
  }
  return rows;
}

/** Distinct people among the contacts (by ID number, else by check-in). */
export function distinctContacts(result: TraceResult): number {
  return new Set(contactRows(result).map((r) => r.contact.subject.idNo ?? r.contact.subject.altId ?? r.contact.id)).size;
}
