/**
 * The tracing form (ID number, local time range, ± minutes) and its answer: each landmark (a
 * check-in of the person) with the contacts at the same checkpoint, and a CSV download button.
 * Both are POST forms: the ID number traced never lands in a URL (browser history, proxy access
 * logs, Referer). The browser is signed in by its session cookie, so no token travels with them.
 */
import { esc } from '../../html.js';
import type { DashboardSection, SectionContext } from '../section.js';
import { contactRows, distinctContacts } from '../trace-view.js';
import { TRACE_LIMITS } from '../../trace.js';

/** The localized text of a parseTraceQuery / dateTimeProblem error ("field: detail"). */
export function traceErrorText(c: Pick<SectionContext, 't'>, error: string): string {
  const e = c.t.tracing.errors;
  // "to" before or at "from" (the form's "to" covers its whole minute, so only an earlier minute gets here).
  if (error.startsWith('to: before') || error.startsWith('to: the same instant')) return e.order;
  // A wall time a daylight-saving change skips: say so, with what was typed and the zone, instead
  // of "not a valid date and time" (it is one, on any other night).
  const skipped = /^(from|to): (.+) does not exist in (\S+): the clocks skip it/.exec(error);
  if (skipped) return e.skipped(skipped[1] as 'from' | 'to', skipped[2] as string, skipped[3] as string);
  const field = error.slice(0, error.indexOf(':'));
  // A trace refused as too large (TraceTooLargeError): the bound and how to narrow, in the page's language.
  if (field === 'nearby') return e.tooLarge(TRACE_LIMITS.maxNearbyTotal);
  return field === 'idNo' ? e.idNo : field === 'from' ? e.from : field === 'to' ? e.to : field === 'windowMinutes' ? e.window : error;
}

/** The language, as a hidden field of a POST form. */
function hidden(c: SectionContext): string {
  return `<input type="hidden" name="lang" value="${esc(c.lang)}">`;
}

function answer(c: SectionContext): string {
  const { t, f, trace } = c;
  const tr = t.tracing;
  if (trace.error) return `<p class="error" role="alert" data-trace-answer="error">${esc(tr.badQuery)}: ${esc(traceErrorText(c, trace.error))}</p>`;
  const result = trace.result;
  if (!result) return '';
  if (!result.landmarks.length) return `<p class="muted" data-trace-answer="empty">${esc(tr.none)}</p>`;
  const i = trace.input;
  const csv = `<form class="csv" method="post" action="/dashboard/trace.csv">${hidden(c)}${[
    ['idNo', i.idNo],
    ['from', i.from],
    ['to', i.to],
    ['windowMinutes', i.windowMinutes],
  ]
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${esc(v ?? '')}">`)
    .join('')}<button type="submit" class="button secondary">${esc(tr.csv)}</button></form>`;
  const rows = contactRows(result);
  const blocks = result.landmarks
    .map((l) => {
      const at = Date.parse(l.checkIn.scannedAt);
      const mine = rows.filter((r) => r.landmark.id === l.checkIn.id);
      const contacts = mine.length
        ? `<table class="contacts"><thead><tr><th>${esc(tr.at)}</th><th>${esc(tr.minutesApart)}</th><th>${esc(tr.idNo)}</th><th>${esc(tr.name)}</th><th>${esc(tr.verdict)}</th><th>${esc(tr.direction)}</th></tr></thead><tbody>${mine
            .map(
              (r) =>
                `<tr data-contact="${esc(r.contact.subject.idNo ?? r.contact.subject.altId ?? '')}"><td>${esc(f.time(Date.parse(r.contact.scannedAt)))}</td><td class="num">${r.minutesApart > 0 ? '+' : ''}${r.minutesApart}${r.contact.nearLandmarks ? ` <small class="muted" data-near-landmarks="${r.contact.nearLandmarks.count}">${esc(tr.nearLandmarks(r.contact.nearLandmarks.count))}</small>` : ''}</td><td class="mono">${esc(r.contact.subject.idNo ?? r.contact.subject.altId ?? '—')}</td><td>${esc(r.contact.subject.name ?? '—')}</td><td><span class="chip" data-verdict="${esc(r.contact.verdict)}">${esc(t.verdict[r.contact.verdict] ?? r.contact.verdict)}</span></td><td>${esc(r.contact.direction === 'in' ? tr.in : tr.out)}</td></tr>`,
            )
            .join('')}</tbody></table>${l.truncated ? `<p class="error">${esc(tr.truncated)}</p>` : ''}`
        : `<p class="muted">${esc(tr.noContacts)}</p>`;
      // Scans that name nobody are no contacts: their number only, so nobody reads them as people.
      const unidentified = l.unidentifiedNearby > 0 ? `<p class="muted" data-unidentified="${l.unidentifiedNearby}">${esc(tr.unidentified(l.unidentifiedNearby))}</p>` : '';
      return `<article class="landmark"><header><span class="pin">●</span><b>${esc(f.dateTime(at))}</b> · ${esc(tr.checkpoint)} <b>${esc(l.checkIn.checkpointId)}</b> · ${esc(l.checkIn.direction === 'in' ? tr.in : tr.out)}</header>${contacts}${unidentified}</article>`;
    })
    .join('');
  return `<div class="answer" data-trace-answer="found"><div class="answer-head"><b>${esc(tr.summary(result.landmarks.length, distinctContacts(result)))}</b>${csv}</div>${result.truncated ? `<p class="error">${esc(tr.truncated)}</p>` : ''}${blocks}</div>`;
}

export const tracingSection: DashboardSection = {
  id: 'tracing',
  width: 'full',
  render(c) {
    const { t, trace } = c;
    const tr = t.tracing;
    const i = trace.input;
    return `<h2>${esc(tr.title)}</h2><p class="muted">${esc(tr.hint)}</p>
<form class="trace" method="post" action="/dashboard#tracing">
${hidden(c)}
<label>${esc(tr.idNo)}<input name="idNo" required maxlength="64" autocomplete="off" inputmode="text" value="${esc(i.idNo)}"></label>
<label>${esc(tr.from)}<input name="from" type="datetime-local" required value="${esc(i.from)}"></label>
<label>${esc(tr.to)}<input name="to" type="datetime-local" required value="${esc(i.to)}"></label>
<label class="narrow">${esc(tr.window)}<input name="windowMinutes" type="number" min="0" max="1440" step="1" required value="${esc(i.windowMinutes)}"></label>
<button type="submit">${esc(tr.submit)}</button>
</form>${answer(c)}`;
  },
};
