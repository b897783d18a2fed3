/**
 * Pure HID POS report handling: parse one input report (layout from pos-vendors.ts) and reassemble
 * a read that spans several reports over the continuation bit. No I/O, no clock: the driver owns
 * those. Every size is bounded: a read longer than `maxBytes` is dropped and reported as too large.
 */
import { decodeCp1252 } from '../keyboard/codepages.js';
import type { PosLayout } from './pos-vendors.js';

/** Largest QR code: 4,296 alphanumeric characters (docs/FORMATS.md); byte-mode content is smaller. */
export const MAX_SCAN_BYTES = 4296;

export type ReportRejection = 'unknown-report-id' | 'too-short' | 'bad-length' | 'junk';

export type ParsedPosReport =
  | { ok: true; aim: string; data: Uint8Array; more: boolean; vendorCodeId?: number }
  | { ok: false; reason: ReportRejection };

/** Parses one input report. Never throws; a report that is not scanned data says why. */
export function parsePosReport(report: Uint8Array, layout: PosLayout): ParsedPosReport {
  let r = report;
  if (r.length === 0) return { ok: false, reason: 'too-short' };
  // A report exactly one byte short of the layout had its id stripped by the platform (the size
  // decides, not byte 0: a stripped report holding 2 data bytes starts with 0x02 too).
  if (layout.reportIdPresence === 'auto' && r.length === layout.reportLength - 1) {
    const withId = new Uint8Array(r.length + 1);
    withId[0] = layout.reportId;
    withId.set(r, 1);
    r = withId;
  } else if (r[0] !== layout.reportId) {
    return { ok: false, reason: r.length >= layout.reportLength ? 'unknown-report-id' : 'too-short' };
  }
  if (r.length < layout.reportLength) return { ok: false, reason: 'too-short' };
  const length = r[layout.lengthOffset]!;
  if (length > layout.maxDataPerReport) return { ok: false, reason: 'bad-length' };
  const aimBytes = r.subarray(layout.aimOffset, layout.aimOffset + 3);
  let aim = '';
  if (aimBytes.some((b) => b !== 0)) {
    // Bytes 2-4 are either all zero (no symbology id sent) or ']' + two printable characters.
    if (aimBytes[0] !== 0x5d || !aimBytes.subarray(1).every((b) => b >= 0x21 && b <= 0x7e)) {
      return { ok: false, reason: 'junk' };
    }
    aim = String.fromCharCode(...aimBytes);
  }
  const more = (r[layout.continuationOffset]! & layout.continuationMask) !== 0;
  const data = r.slice(layout.dataOffset, layout.dataOffset + length);
  const codeId = layout.vendorCodeIdOffset === undefined ? undefined : r[layout.vendorCodeIdOffset];
  return codeId === undefined || codeId === 0 ? { ok: true, aim, data, more } : { ok: true, aim, data, more, vendorCodeId: codeId };
}

export type ReassemblyResult =
  | { kind: 'partial' }
  | { kind: 'complete'; aim: string; bytes: Uint8Array; reports: number }
  | { kind: 'too-large'; aim: string; droppedBytes: number; reports: number };

/**
 * Joins the fragments of one read. `push` returns 'complete' on the report whose continuation bit is
 * clear. `discard()` drops a half-received read (unplug mid-report): partial data is never a scan.
 */
export class PosReassembler {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private reports = 0;
  private aim = '';
  private overflowed = false;
  private dropped = 0;

  constructor(private readonly maxBytes: number = MAX_SCAN_BYTES) {}

  /** True while a multi-report read is in progress. */
  get pending(): boolean {
    return this.reports > 0;
  }

  push(fragment: { aim: string; data: Uint8Array; more: boolean }): ReassemblyResult {
    if (this.reports === 0) this.aim = fragment.aim;
    this.reports += 1;
    if (!this.overflowed && this.size + fragment.data.length > this.maxBytes) {
      // Stop buffering at the cap but keep consuming fragments until the read ends.
      this.overflowed = true;
      this.dropped = this.size;
      this.chunks = [];
      this.size = 0;
    }
    if (this.overflowed) this.dropped += fragment.data.length;
    else {
      this.chunks.push(fragment.data);
      this.size += fragment.data.length;
    }
    if (fragment.more) return { kind: 'partial' };
    const result: ReassemblyResult = this.overflowed
      ? { kind: 'too-large', aim: this.aim, droppedBytes: this.dropped, reports: this.reports }
      : { kind: 'complete', aim: this.aim, bytes: concat(this.chunks, this.size), reports: this.reports };
    this.discard();
    return result;
  }

  /** Drops any half-received read; returns how many bytes were thrown away. */
  discard(): number {
    const lost = this.overflowed ? this.dropped : this.size;
    this.chunks = [];
    this.size = 0;
    this.reports = 0;
    this.aim = '';
    this.overflowed = false;
    this.dropped = 0;
    return lost;
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Scanner bytes to text: UTF-8 when valid (QR codes with Vietnamese names are UTF-8), else CP1252. */
export function decodeScanBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeCp1252(bytes);
  }
}
