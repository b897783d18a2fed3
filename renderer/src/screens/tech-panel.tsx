/**
 * The unlocked technician panel: scanners (live, labelled counters) with self-test and an armed
 * test scan, delivery and trust state, checkpoint, direction, profile, time zone and officer
 * idle time, enrollment, officers' sign-in codes, the web URL token, exports, audit and logs.
 * Times are shown in the kiosk's time zone.
 */
import { useEffect, useState } from 'preact/hooks';
import type { KioskApi, Profile, SelfTestView, TechInfo } from '../../../src/shared/api.js';
import { auditActionText, formatName, provisioningText, reasonText, t, type Lang, type TextKey } from '../i18n.js';
import { dateTimeOf } from '../time.js';
import type { TechProps } from './technician.js';

export function TechPanel({ lang, api, status, session, setSession, onLeave, testResult, armTestScan }: Omit<TechProps, 'session'> & { session: string }) {
  const [info, setInfo] = useState<TechInfo | null>(null);
  const [message, setMessage] = useState('');
  const [selfTest, setSelfTest] = useState<SelfTestView | 'waiting' | null>(null);
  const [testArmed, setTestArmed] = useState(false);
  const [officerId, setOfficerId] = useState('');
  const [form, setForm] = useState({ checkpointId: '', checkpointName: '', serverUrl: '', enrollCode: '', timeZone: '', officerIdleMinutes: '' });
  const fail = (e: Error & { code?: string }) => {
    if (e.code === 'unauthorized') setSession(null);
    setMessage(`${t(lang, 'error')}: ${e.message}`);
  };
  const load = () => api.techInfo(session).then(setInfo, fail);
  useEffect(() => void load(), [status]);
  useEffect(() => {
    if (testResult) setTestArmed(false);
  }, [testResult]);
  useEffect(() => {
    if (info)
      setForm((f) => ({
        ...f,
        checkpointId: info.status.checkpointId,
        checkpointName: info.status.checkpointName ?? '',
        serverUrl: info.serverUrl ?? '',
        timeZone: info.timeZone,
        officerIdleMinutes: String(info.officerIdleMinutes),
      }));
  }, [info?.status.checkpointId, info?.serverUrl, info?.timeZone, info?.officerIdleMinutes]);
  if (!info) return <section class="tech" data-screen="tech">…</section>;
  const tz = info.timeZone;
  const d = info.status.delivery;
  const field = (key: keyof typeof form, label: TextKey, extra: Record<string, string> = {}) => (
    <label>
      {t(lang, label)}
      <input name={key} value={form[key]} {...extra} onInput={(e) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  const save = (patch: Parameters<KioskApi['techConfigure']>[1]) => api.techConfigure(session, patch).then((i) => (setInfo(i), setMessage(`✓ ${t(lang, 'saved')}`)), fail);
  return (
    <section class="tech tech-panel" data-screen="tech">
      <div class="tech-col">
        <div class="row">
          <button data-testid="tech-leave" onClick={onLeave}>{t(lang, 'leave')}</button>
        </div>
        {message && <p class="message" role="status" data-testid="tech-message">{message}</p>}
        <h2>{t(lang, 'scanners')}</h2>
        <ul data-testid="tech-scanners">
          {info.status.scanners.length === 0 && <li>{t(lang, 'noScanner')}</li>}
          {info.status.scanners.map((s) => (
            <li key={s.deviceId} data-state={s.state}>
              {s.state === 'connected' ? '●' : '✕'} {s.uri} — {t(lang, `state_${s.state}` as TextKey)} · {t(lang, 'reads')}: {s.reads}
              {rate(info, s.deviceId, 'reads', lang)} · {t(lang, 'errors')}: {s.errors}
              {rate(info, s.deviceId, 'errors', lang)}
              {frames(info, s.deviceId)}
              {s.lastError ? ` · ${s.lastError}` : ''}
            </li>
          ))}
        </ul>
        <div class="row">
          <button
            data-testid="self-test"
            disabled={selfTest === 'waiting'}
            onClick={() => {
              setSelfTest('waiting');
              api.techSelfTest(session, 30_000).then(setSelfTest, (e: Error) => (setSelfTest(null), fail(e)));
            }}
          >
            {t(lang, 'selfTest')}
          </button>
          <button data-testid="test-scan" aria-pressed={testArmed} onClick={() => (setTestArmed(true), armTestScan(session))}>
            {t(lang, 'testScanArm')}
          </button>
        </div>
        {selfTest && (
          <p data-testid="self-test-result" role="status">
            {selfTest === 'waiting'
              ? t(lang, 'selfTestWaiting')
              : selfTest.ok
                ? `${t(lang, 'selfTestArrived', { device: selfTest.deviceId, chars: selfTest.chars, ms: selfTest.durationMs })}${selfTest.symbology ? ` · ${selfTest.symbology}` : ''} · ${selfTest.preview}`
                : t(lang, 'selfTestNothing')}
          </p>
        )}
        {testArmed && <p class="test-scan" data-testid="test-prompt">{t(lang, 'testScan')}</p>}
        {testResult && !testArmed && (
          <p data-testid="test-result" class={`tone-${testResult.verdict}`}>
            {t(lang, 'testResult')}: {formatName(lang, testResult.format)} · {t(lang, testResult.verdict)} · {testResult.reasons.map((r) => reasonText(lang, r)).join('; ') || '—'}
          </p>
        )}
        <h2>{t(lang, 'delivery')}</h2>
        <dl class="details">
          <dt>{t(lang, 'serverUrl')}</dt><dd>{info.serverUrl ?? '—'}</dd>
          <dt>{t(lang, 'queue')}</dt><dd data-testid="tech-queue">{d.queueDepth}</dd>
          <dt>{t(lang, 'oldestPending')}</dt>
          <dd data-testid="tech-oldest" class={d.pendingAlarm ? 'tone-refer' : undefined}>
            {dateTimeOf(d.oldestPendingAt, lang, tz)}
            {d.pendingAlarm ? ` ⚠ ${t(lang, 'pendingTooLong')}` : ''}
          </dd>
          <dt>{t(lang, 'lastSync')}</dt><dd data-testid="tech-last-sync">{dateTimeOf(d.lastSyncAt, lang, tz)}</dd>
          <dt>{t(lang, 'clockOffset')}</dt>
          <dd data-testid="tech-clock-offset" class={clockOff(info) ? 'tone-refer' : undefined}>
            {info.clockOffsetMs === null ? '—' : `${info.clockOffsetMs > 0 ? '+' : ''}${(info.clockOffsetMs / 1000).toFixed(1)} s`}
            {clockOff(info) ? ` ⚠ ${t(lang, 'clockOff')}` : ''}
          </dd>
          <dt>{t(lang, 'trustAge')}</dt><dd>{info.trustAgeHours === null ? '—' : `${info.trustAgeHours} ${t(lang, 'hours')}`}</dd>
          <dt>{t(lang, 'policy')}</dt><dd>{info.policyName} · {info.duplicateWindowMinutes} {lang === 'vi' ? 'phút' : 'min'}</dd>
        </dl>
        <h3>{t(lang, 'rejectedRecords')} ({d.rejected})</h3>
        <ul data-testid="tech-rejected">
          {info.rejectedRecords.map((r) => (
            <li key={r.id} data-kind={r.kind ?? 'checkin'}>
              {dateTimeOf(r.scannedAt, lang, tz)} · {r.kind === 'override' ? `${t(lang, 'rejectedOverride', { id: r.checkinId ?? '', by: r.by ?? '' })} → ${t(lang, r.verdict ?? 'accept')} · ` : ''}
              {r.id} · {r.reason}
            </li>
          ))}
        </ul>
      </div>
      <div class="tech-col">
        <form onSubmit={(e) => (e.preventDefault(), void save({ checkpointId: form.checkpointId, checkpointName: form.checkpointName }))}>
          {field('checkpointId', 'checkpointId')}
          {field('checkpointName', 'checkpointName')}
          <button type="submit">{t(lang, 'save')}</button>
        </form>
        <h3>{t(lang, 'direction')}</h3>
        <div class="toggle" role="group" aria-label={t(lang, 'direction')}>
          {(['in', 'out'] as const).map((dir) => (
            <button key={dir} aria-pressed={info.status.direction === dir} onClick={() => void save({ direction: dir })}>
              {dir === 'in' ? t(lang, 'dirIn') : t(lang, 'dirOut')}
            </button>
          ))}
        </div>
        <h3>{t(lang, 'profile')}</h3>
        <div class="toggle" role="group" aria-label={t(lang, 'profile')}>
          {(['venue', 'booth'] as const satisfies readonly Profile[]).map((p) => (
            <button key={p} data-testid={`profile-${p}`} aria-pressed={info.profile === p} onClick={() => void save({ profile: p })}>
              {t(lang, `profile_${p}`)}
            </button>
          ))}
        </div>
        <form onSubmit={(e) => (e.preventDefault(), void save({ timeZone: form.timeZone.trim(), officerIdleMinutes: Number(form.officerIdleMinutes) }))}>
          {field('timeZone', 'timeZone')}
          {field('officerIdleMinutes', 'officerIdle', { inputMode: 'numeric', pattern: '\\d{1,3}' })}
          <button type="submit">{t(lang, 'save')}</button>
        </form>
        <form onSubmit={(e) => (e.preventDefault(), void save({ serverUrl: form.serverUrl, ...(form.enrollCode ? { enrollCode: form.enrollCode } : {}) }))}>
          {field('serverUrl', 'serverUrl')}
          {field('enrollCode', 'enrollCode')}
          <button type="submit">{t(lang, 'enroll')}</button>
        </form>
        <button data-testid="reprovision" onClick={() => void save({ reprovision: true })}>{t(lang, 'reprovision')}</button>
        <p class="hint" data-testid="reprovision-hint">{t(lang, 'reprovisionHint')}</p>
        {info.status.provisioning && (
          <p data-testid="tech-provisioning" data-state={info.status.provisioning.state} role="status">
            {t(lang, 'provisioningCard')}: {provisioningText(lang, info.status.provisioning)}
          </p>
        )}
      </div>
      <div class="tech-col">
        <h3>{t(lang, 'officers')}</h3>
        <ul data-testid="officers">
          {info.officers.length === 0 && <li>{t(lang, 'noOfficers')}</li>}
          {info.officers.map((o) => (
            <li key={o.id} class="row">
              <span>{o.id} · {dateTimeOf(o.issuedAt, lang, tz)}</span>
              <button onClick={() => void api.techRevokeOfficer(session, o.id).then(setInfo, fail)}>{t(lang, 'revoke')}</button>
            </li>
          ))}
        </ul>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void api.techIssueOfficerCode(session, officerId.trim()).then((r) => (setMessage(t(lang, 'codeIssued', { id: r.officerId, code: r.code })), setOfficerId(''), load()), fail);
          }}
        >
          <label>{t(lang, 'officerId')}<input name="newOfficerId" maxLength={32} required pattern="[\w.:\-]{1,32}" value={officerId} onInput={(e) => setOfficerId((e.target as HTMLInputElement).value)} /></label>
          <button type="submit" data-testid="issue-code">{t(lang, 'issueCode')}</button>
        </form>
        <div class="row">
          {(['checkins', 'logs'] as const).map((what) => (
            <button key={what} onClick={() => api.techExport(session, what).then((r) => setMessage(t(lang, 'exported', { n: r.count, path: r.path })), fail)}>
              {t(lang, what === 'checkins' ? 'exportCheckins' : 'exportLogs')}
            </button>
          ))}
          {info.webTokenRotatable && (
            <button data-testid="rotate-token" onClick={() => void api.techRotateWebToken(session).then((r) => location.replace(r.url), fail)}>
              {t(lang, 'rotateToken')}
            </button>
          )}
        </div>
        <h3>{t(lang, 'audit')}</h3>
        <ul class="log" data-testid="audit">
          {info.audit.map((a, i) => <li key={i}>{dateTimeOf(a.at, lang, tz)} · {a.actor} · {auditActionText(lang, a.action)}</li>)}
        </ul>
        <h3>{t(lang, 'logs')}</h3>
        <ul class="log">{info.logs.slice(-30).map((l, i) => <li key={i} class={`log-${l.level}`}>{dateTimeOf(l.at, lang, tz)} {l.level} {l.ns} {l.msg}</li>)}</ul>
      </div>
    </section>
  );
}

/** Reads or errors per minute for one scanner, when the device manager reports them: " (8/phút)". */
function rate(info: TechInfo, deviceId: string, what: 'reads' | 'errors', lang: Lang): string {
  const h = info.devices.find((d) => d.deviceId === deviceId);
  return h ? ` (${what === 'reads' ? h.readsPerMinute : h.errorsPerMinute}${t(lang, 'perMinute')})` : '';
}

/** A camera's frame figures (frames/s, decode ms p50/p99, dropped frames/s); empty for other scanners. */
function frames(info: TechInfo, deviceId: string): string {
  const c = info.devices.find((d) => d.deviceId === deviceId)?.camera;
  return c ? ` · ${c.framesPerSecond} fps · ${c.decodeMsP50}/${c.decodeMsP99} ms · ↓${c.droppedPerSecond}/s` : '';
}

/** The kiosk clock is further from the server's than the policy tolerates (clockSkewSeconds). */
function clockOff(info: TechInfo): boolean {
  return info.clockOffsetMs !== null && Math.abs(info.clockOffsetMs) > info.clockSkewSeconds * 1000;
}
