/**
 * The officer's booth, behind an officer sign-in: recent scans, the selected one's details,
 * direction, override with a reason (recorded with the signed-in officer's id), manual ID entry
 * and the shift's counts. Refreshes on every outcome; an expired session signs the officer out.
 */
import { useEffect, useState } from 'preact/hooks';
import type { KioskApi, KioskStatus, RecentScan, ScanDetails, ShiftCounts } from '../../../src/shared/api.js';
import type { VerdictKind } from '../../../src/shared/types.js';
import { formatName, reasonText, t, type Lang } from '../i18n.js';
import { dateTimeOf, timeOf } from '../time.js';

interface Props {
  lang: Lang;
  api: KioskApi;
  status: KioskStatus | null;
  /** Changes whenever a new outcome arrived (triggers a refresh). */
  tick: number;
  /** The signed-in officer's session. */
  session: string;
  onUnauthorized: () => void;
}

export function Booth({ lang, api, status, tick, session, onUnauthorized }: Props) {
  const tz = status?.timeZone;
  const [recent, setRecent] = useState<RecentScan[]>([]);
  const [counts, setCounts] = useState<ShiftCounts | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [details, setDetails] = useState<ScanDetails | null>(null);
  const [message, setMessage] = useState('');

  const fail = (e: Error & { code?: string }) => {
    if (e.code === 'unauthorized' || e.code === 'refused') onUnauthorized();
    else setMessage(`${t(lang, 'error')}: ${e.message}`);
  };
  const refresh = async () => {
    setRecent(await api.recentScans(session, 30));
    setCounts(await api.shiftCounts(session));
    if (selected) setDetails(await api.scanDetails(session, selected));
  };
  useEffect(() => void refresh().catch(fail), [tick, selected]);

  const act = (fn: () => Promise<unknown>) => () => void fn().then(refresh).catch(fail);

  return (
    <section class="booth" data-screen="booth">
      <div class="booth-col booth-shift">
        <h2>{t(lang, 'shift')}</h2>
        {counts && (
          <dl class="counts" data-testid="counts">
            <dt>{t(lang, 'total')}</dt><dd data-count="total">{counts.total}</dd>
            <dt>{t(lang, 'accept')}</dt><dd data-count="accept">{counts.accept}</dd>
            <dt>{t(lang, 'refer')}</dt><dd data-count="refer">{counts.refer}</dd>
            <dt>{t(lang, 'reject')}</dt><dd data-count="reject">{counts.reject}</dd>
            <dt>{t(lang, 'overridden')}</dt><dd data-count="overridden">{counts.overridden}</dd>
            <dt>{t(lang, 'duplicates')}</dt><dd data-count="duplicates">{counts.duplicates}</dd>
            <dt>{t(lang, 'dirIn')} / {t(lang, 'dirOut')}</dt><dd>{counts.in} / {counts.out}</dd>
          </dl>
        )}
        {counts && <p class="since">{dateTimeOf(counts.since, lang, tz)}</p>}
        <button data-testid="new-shift" onClick={act(() => api.startShift(session))}>{t(lang, 'newShift')}</button>
        <h2>{t(lang, 'direction')}</h2>
        <div class="toggle" role="group" aria-label={t(lang, 'direction')}>
          {(['in', 'out'] as const).map((d) => (
            <button key={d} aria-pressed={status?.direction === d} data-testid={`dir-${d}`} onClick={act(() => api.setDirection(session, d))}>
              {d === 'in' ? t(lang, 'dirIn') : t(lang, 'dirOut')}
            </button>
          ))}
        </div>
        {message && <p class="message" role="alert">{message}</p>}
      </div>
      <div class="booth-col">
        <h2>{t(lang, 'recent')}</h2>
        <ul class="recent" data-testid="recent">
          {recent.map((r) => (
            <li key={r.id}>
              <button class={`recent-row tone-${r.override?.verdict ?? r.verdict}${r.id === selected ? ' selected' : ''}`} onClick={() => setSelected(r.id)} data-id={r.id}>
                <span class="recent-verdict">{t(lang, r.override?.verdict ?? r.verdict)}</span>
                <span>{r.maskedName ?? formatName(lang, r.format)}</span>
                <span>{timeOf(r.scannedAt, lang, tz)}</span>
                <span>{r.direction === 'in' ? t(lang, 'dirIn') : t(lang, 'dirOut')}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div class="booth-col">
        <h2>{t(lang, 'details')}</h2>
        {details ? <Details lang={lang} details={details} tz={tz} /> : <p>{t(lang, 'selectScan')}</p>}
        {details && <OverrideForm lang={lang} onSave={(verdict, reason) => act(() => api.overrideCheckIn(session, { id: details.id, verdict, reason }))()} />}
      </div>
      <div class="booth-col">
        <ManualEntryForm lang={lang} onSubmit={(entry) => act(() => api.manualEntry(session, entry))()} />
      </div>
    </section>
  );
}

function Details({ lang, details, tz }: { lang: Lang; details: ScanDetails; tz: string | undefined }) {
  const s = details.subject;
  return (
    <dl class="details" data-testid="details">
      <dt>{t(lang, 'fullName')}</dt><dd>{s.name ?? '—'}</dd>
      <dt>{t(lang, 'idNo')}</dt><dd>{s.idNo ?? s.altId ?? '—'}</dd>
      <dt>{t(lang, 'dob')}</dt><dd>{s.dob ?? '—'}</dd>
      <dt>{t(lang, 'format')}</dt><dd>{formatName(lang, details.format)}</dd>
      <dt>{t(lang, 'scannedAt')}</dt><dd>{dateTimeOf(details.scannedAt, lang, tz)}</dd>
      <dt>{t(lang, 'direction')}</dt><dd>{details.direction === 'in' ? t(lang, 'dirIn') : t(lang, 'dirOut')}</dd>
      <dt>{t(lang, 'reasons')}</dt>
      <dd>{details.reasons.map((r) => reasonText(lang, r)).join('; ') || '—'}</dd>
      {details.override && (
        <>
          <dt>{t(lang, 'override')}</dt>
          <dd data-testid="override-shown">{t(lang, details.override.verdict)} — {details.override.reason} ({details.override.by}, {dateTimeOf(details.override.at, lang, tz)})</dd>
        </>
      )}
    </dl>
  );
}

function OverrideForm({ lang, onSave }: { lang: Lang; onSave: (v: VerdictKind, reason: string) => void }) {
  const [verdict, setVerdict] = useState<VerdictKind>('accept');
  const [reason, setReason] = useState('');
  return (
    <form
      class="override"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) onSave(verdict, reason);
      }}
    >
      <h3>{t(lang, 'override')}</h3>
      <select name="verdict" value={verdict} onChange={(e) => setVerdict((e.target as HTMLSelectElement).value as VerdictKind)}>
        {(['accept', 'refer', 'reject'] as const).map((v) => (
          <option key={v} value={v}>{t(lang, v)}</option>
        ))}
      </select>
      <label>{t(lang, 'overrideReason')}<input name="reason" required maxLength={200} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
      <button type="submit">{t(lang, 'save')}</button>
    </form>
  );
}

function ManualEntryForm({ lang, onSubmit }: { lang: Lang; onSubmit: (e: { idNo: string; name: string; dob: string; sex: 'M' | 'F' }) => void }) {
  const [idNo, setIdNo] = useState('');
  const [name, setName] = useState('');
  const [dob, setDob] = useState('');
  const [sex, setSex] = useState<'M' | 'F'>('M');
  return (
    <form
      class="manual"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ idNo, name, dob, sex });
        setIdNo('');
      }}
    >
      <h3>{t(lang, 'manualEntry')}</h3>
      <label>{t(lang, 'idNo')}<input name="idNo" inputMode="numeric" pattern="\d{12}" required value={idNo} onInput={(e) => setIdNo((e.target as HTMLInputElement).value)} /></label>
      <label>{t(lang, 'fullName')}<input name="name" required maxLength={100} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
      <label>{t(lang, 'dob')}<input name="dob" type="date" required value={dob} onInput={(e) => setDob((e.target as HTMLInputElement).value)} /></label>
      <label>
        {t(lang, 'sex')}
        <select name="sex" value={sex} onChange={(e) => setSex((e.target as HTMLSelectElement).value as 'M' | 'F')}>
          <option value="M">{t(lang, 'male')}</option>
          <option value="F">{t(lang, 'female')}</option>
        </select>
      </label>
      <button type="submit">{t(lang, 'submit')}</button>
    </form>
  );
}
