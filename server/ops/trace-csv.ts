/**
 * The tracing answer as CSV (RFC 4180: CRLF, fields quoted when needed), UTF-8 with a byte order
 * mark so spreadsheet programs show Vietnamese names correctly. One row per (landmark, contact);
 * a column counts the landmark's scans that name nobody (not listed as contacts), and a
 * landmark with such scans but no contact gets one row with the contact cells empty. The last three
 * columns are the contact's `nearLandmarks` (count, first and last landmark's check-in id), empty
 * when it was near its landmark only, as the JSON answer leaves the member out. A field starting with = + - @
 * in a text field is prefixed with ' so that no spreadsheet runs it as a formula (CSV injection).
 */
import type { TraceResult } from '../trace.js';
import { toLocalIso } from './local-time.js';
import type { OpsStrings } from './strings.js';
import { contactRows } from './trace-view.js';

function cell(v: string | number): string {
  // Numbers (minutes apart can be negative) are written as numbers; only text can be a formula.
  if (typeof v === 'number') return String(v);
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function traceCsv(result: TraceResult, t: OpsStrings, timeZone: string): string {
  const tr = t.tracing;
  const header = [
    `${tr.landmark}: ${tr.at}`,
    tr.checkpoint,
    `${tr.landmark}: ${tr.direction}`,
    `${tr.contacts}: ${tr.at}`,
    tr.minutesApart,
    tr.idType,
    tr.idNo,
    tr.name,
    tr.verdict,
    tr.direction,
    'check-in id',
    tr.unidentifiedHeader,
    tr.nearLandmarksCount,
    tr.nearLandmarksFirst,
    tr.nearLandmarksLast,
  ];
  const lines = [header.map(cell).join(',')];
  const rows = contactRows(result);
  for (const l of result.landmarks) {
    const landmark = [toLocalIso(timeZone, Date.parse(l.checkIn.scannedAt)), l.checkIn.checkpointId, l.checkIn.direction === 'in' ? tr.in : tr.out];
    const mine = rows.filter((r) => r.landmark.id === l.checkIn.id);
    if (mine.length === 0 && l.unidentifiedNearby > 0) lines.push([...landmark, '', '', '', '', '', '', '', '', l.unidentifiedNearby, '', '', ''].map(cell).join(','));
    for (const r of mine) {
      lines.push(
        [
          ...landmark,
          toLocalIso(timeZone, Date.parse(r.contact.scannedAt)),
          r.minutesApart,
          r.contact.subject.idType ?? '',
          r.contact.subject.idNo ?? r.contact.subject.altId ?? '',
          r.contact.subject.name ?? '',
          t.verdict[r.contact.verdict] ?? r.contact.verdict,
          r.contact.direction === 'in' ? tr.in : tr.out,
          r.contact.id,
          l.unidentifiedNearby,
          r.contact.nearLandmarks?.count ?? '',
          r.contact.nearLandmarks?.first ?? '',
          r.contact.nearLandmarks?.last ?? '',
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
