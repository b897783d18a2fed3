/**
 * The technician screen, behind a PIN: first-time PIN setup, unlock with lockout feedback, then
 * scanners (live) and a test scan, server and enrollment, checkpoint, direction, policy,
 * trust-bundle age, delivery queue with rejected records, recent logs and exports.
 */
import { useEffect, useState } from 'preact/hooks';
import type { KioskApi, KioskStatus, SelfTestView, TechInfo, TestScanResult } from '../../../src/shared/api.js';
import { reasonText, t, type Lang, type TextKey } from '../i18n.js';

interface Props {
  lang: Lang;
  api: KioskApi;
  status: KioskStatus | null;
  session: string | null;
  setSession: (s: string | null) => void;
  testResult: TestScanResult | null;
}

export function Technician(props: Props) {
  const { api, status, session } = props;
  if (status?.needsSetup) return <PinSetup {...props} />;
  if (!session) return <PinPad {...props} />;
  return <TechPanel {...props} api={api} session={session} />;
}

function PinSetup({ lang, api, setSession }: Props) {
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [message, setMessage] = useState('');
  return (
    <section class="tech" data-screen="tech-setup">
      <form
        class="pin-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (pin !== again) return setMessage(t(lang, 'pinMismatch'));
          try {
            await api.techSetPin(null, pin);
            const r = await api.techUnlock(pin);
            if (r.ok) setSession(r.session);
          } catch (err) {
            setMessage((err as Error).message);
          }
        }}
      >
        <h2>{t(lang, 'setupPin')}</h2>
        <input name="pin" type="password" inputMode="numeric" autoComplete="off" pattern="\d{4,12}" required value={pin} onInput={(e) => setPin((e.target as HTMLInputElement).value)} />
        <label>{t(lang, 'confirmPin')}<input name="pin2" type="password" inputMode="numeric" pattern="\d{4,12}" required value={again} onInput={(e) => setAgain((e.target as HTMLInputElement).value)} /></label>
        <button type="submit">{t(lang, 'save')}</button>
        {message && <p role="alert" class="message">{message}</p>}
      </form>
    </section>
  );
}

function PinPad({ lang, api, setSession }: Props) {
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState('');
  const [lockedUntil, setLockedUntil] = useState<string | null>(null);
  useEffect(() => {
    void api.techState().then((s) => setLockedUntil(s.lockedUntil ?? null));
  }, []);
  const locked = lockedUntil !== null && Date.parse(lockedUntil) > Date.now();
  const time = lockedUntil ? new Date(lockedUntil).toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB') : '';
  return (
    <section class="tech" data-screen="tech-pin" data-locked={locked ? 'true' : 'false'}>
      <form
        class="pin-form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await api.techUnlock(pin);
            setPin('');
            if (r.ok) return setSession(r.session);
            if (r.reason === 'wrong-pin') setMessage(t(lang, 'wrongPin', { n: r.attemptsLeft }));
            else if (r.reason === 'locked') setLockedUntil(r.lockedUntil);
          } catch (err) {
            setMessage((err as Error).message);
          }
        }}
      >
        <h2>{t(lang, 'technician')}</h2>
        <label>
          {t(lang, 'pin')}
          <input name="pin" type="password" inputMode="numeric" autoComplete="off" maxLength={12} disabled={locked} value={pin} onInput={(e) => setPin((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={locked}>{t(lang, 'unlock')}</button>
        {locked ? (
          <p role="alert" class="message locked" data-testid="locked">🔒 {t(lang, 'locked', { time })}</p>
        ) : (
          message && <p role="alert" class="message" data-testid="pin-message">{message}</p>
        )}
      </form>
    </section>
  );
}

function TechPanel({ lang, api, status, session, setSession, testResult }: Props & { session: string }) {
  const [info, setInfo] = useState<TechInfo | null>(null);
  const [message, setMessage] = useState('');
  const [selfTest, setSelfTest] = useState<SelfTestView | 'waiting' | null>(null);
  const [form, setForm] = useState({ checkpointId: '', checkpointName: '', serverUrl: '', enrollCode: '' });
  const fail = (e: Error & { code?: string }) => {
    if (e.code === 'unauthorized') setSession(null);
    setMessage(`${t(lang, 'error')}: ${e.message}`);
  };
  const load = () => api.techInfo(session).then(setInfo, fail);
  useEffect(() => void load(), [status]);
  useEffect(() => {
    if (info) setForm((f) => ({ ...f, checkpointId: info.status.checkpointId, checkpointName: info.status.checkpointName ?? '', serverUrl: info.serverUrl ?? '' }));
  }, [info?.status.checkpointId, info?.serverUrl]);
  if (!info) return <section class="tech" data-screen="tech">…</section>;
  const d = info.status.delivery;
  const field = (key: keyof typeof form, label: TextKey) => (
    <label>
      {t(lang, label)}
      <input name={key} value={form[key]} onInput={(e) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  const save = (patch: Parameters<KioskApi['techConfigure']>[1]) => api.techConfigure(session, patch).then((i) => (setInfo(i), setMessage('✓')), fail);
  return (
    <section class="tech tech-panel" data-screen="tech">
      <div class="tech-col">
        <h2>{t(lang, 'scanners')}</h2>
        <ul data-testid="tech-scanners">
          {info.status.scanners.length === 0 && <li>{t(lang, 'noScanner')}</li>}
          {info.status.scanners.map((s) => (
            <li key={s.deviceId} data-state={s.state}>
              {s.state === 'connected' ? '●' : '✕'} {s.uri} — {t(lang, `state_${s.state}` as TextKey)} · {s.reads} / {s.errors}
              {s.lastError ? ` · ${s.lastError}` : ''}
              {rates(info, s.deviceId, lang)}
            </li>
          ))}
        </ul>
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
        {selfTest && (
          <p data-testid="self-test-result" role="status">
            {selfTest === 'waiting'
              ? t(lang, 'selfTestWaiting')
              : selfTest.ok
                ? `${t(lang, 'selfTestArrived', { device: selfTest.deviceId, chars: selfTest.chars, ms: selfTest.durationMs })}${selfTest.symbology ? ` · ${selfTest.symbology}` : ''} · ${selfTest.preview}`
                : t(lang, 'selfTestNothing')}
          </p>
        )}
        <p class="test-scan">{t(lang, 'testScan')}</p>
        {testResult && (
          <p data-testid="test-result" class={`tone-${testResult.verdict}`}>
            {t(lang, 'testResult')}: {testResult.format} · {t(lang, testResult.verdict)} · {testResult.reasons.map((r) => reasonText(lang, r)).join('; ')}
          </p>
        )}
        <h2>{t(lang, 'delivery')}</h2>
        <dl class="details">
          <dt>{t(lang, 'serverUrl')}</dt><dd>{info.serverUrl ?? '—'}</dd>
          <dt>{t(lang, 'queue')}</dt><dd data-testid="tech-queue">{d.queueDepth}</dd>
          <dt>{t(lang, 'oldestPending')}</dt>
          <dd data-testid="tech-oldest" class={d.pendingAlarm ? 'tone-refer' : undefined}>
            {d.oldestPendingAt ?? '—'}
            {d.pendingAlarm ? ` ⚠ ${t(lang, 'pendingTooLong')}` : ''}
          </dd>
          <dt>{t(lang, 'lastSync')}</dt><dd>{d.lastSyncAt ?? '—'}</dd>
          <dt>{t(lang, 'clockOffset')}</dt>
          <dd data-testid="tech-clock-offset" class={info.clockOffsetMs !== null && Math.abs(info.clockOffsetMs) > info.clockSkewSeconds * 1000 ? 'tone-refer' : undefined}>
            {info.clockOffsetMs === null ? '—' : `${info.clockOffsetMs > 0 ? '+' : ''}${(info.clockOffsetMs / 1000).toFixed(1)} s`}
            {info.clockOffsetMs !== null && Math.abs(info.clockOffsetMs) > info.clockSkewSeconds * 1000 ? ` ⚠ ${t(lang, 'clockOff')}` : ''}
          </dd>
          <dt>{t(lang, 'trustAge')}</dt><dd>{info.trustAgeHours === null ? '—' : `${info.trustAgeHours} ${t(lang, 'hours')}`}</dd>
          <dt>{t(lang, 'policy')}</dt><dd>{info.policyName} · {info.duplicateWindowMinutes} min</dd>
        </dl>
        <h3>{t(lang, 'rejectedRecords')} ({d.rejected})</h3>
        <ul>{info.rejectedRecords.map((r) => <li key={r.id}>{r.scannedAt} · {r.id} · {r.reason}</li>)}</ul>
      </div>
      <div class="tech-col">
        <form onSubmit={(e) => (e.preventDefault(), void save({ checkpointId: form.checkpointId, checkpointName: form.checkpointName }))}>
          {field('checkpointId', 'checkpointId')}
          {field('checkpointName', 'checkpointName')}
          <button type="submit">{t(lang, 'save')}</button>
        </form>
        <div class="toggle" role="group" aria-label={t(lang, 'direction')}>
          {(['in', 'out'] as const).map((dir) => (
            <button key={dir} aria-pressed={info.status.direction === dir} onClick={() => void save({ direction: dir })}>
              {dir === 'in' ? t(lang, 'dirIn') : t(lang, 'dirOut')}
            </button>
          ))}
        </div>
        <form onSubmit={(e) => (e.preventDefault(), void save({ serverUrl: form.serverUrl, ...(form.enrollCode ? { enrollCode: form.enrollCode } : {}) }))}>
          {field('serverUrl', 'serverUrl')}
          {field('enrollCode', 'enrollCode')}
          <button type="submit">{t(lang, 'enroll')}</button>
        </form>
        <button data-testid="reprovision" onClick={() => void save({ reprovision: true })}>{t(lang, 'reprovision')}</button>
        {info.status.provisioning && (
          <p data-testid="tech-provisioning" data-state={info.status.provisioning.state} role="status">
            {t(lang, 'provisioningCard')}: {info.status.provisioning.message}
          </p>
        )}
        <div class="row">
          {(['checkins', 'logs'] as const).map((what) => (
            <button key={what} onClick={() => api.techExport(session, what).then((r) => setMessage(t(lang, 'exported', { n: r.count, path: r.path })), fail)}>
              {t(lang, what === 'checkins' ? 'exportCheckins' : 'exportLogs')}
            </button>
          ))}
          <button onClick={() => void api.techLock(session).then(() => setSession(null))}>{t(lang, 'lock')}</button>
        </div>
        {message && <p class="message" role="status" data-testid="tech-message">{message}</p>}
        <h3>{t(lang, 'audit')}</h3>
        <ul class="log" data-testid="audit">
          {info.audit.map((a, i) => <li key={i}>{a.at} · {a.actor} · {a.action}</li>)}
        </ul>
        <h3>{t(lang, 'logs')}</h3>
        <ul class="log">{info.logs.slice(-30).map((l, i) => <li key={i} class={`log-${l.level}`}>{l.at} {l.level} {l.ns} {l.msg}</li>)}</ul>
      </div>
    </section>
  );
}

/** Reads and errors per minute for one scanner (and a camera's frame figures), when the device manager reports them. */
function rates(info: TechInfo, deviceId: string, lang: Lang): string {
  const h = info.devices.find((d) => d.deviceId === deviceId);
  if (!h) return '';
  const c = h.camera;
  const frames = c ? ` · ${c.framesPerSecond} fps · ${c.decodeMsP50}/${c.decodeMsP99} ms · ↓${c.droppedPerSecond}/s` : '';
  return ` · ${h.readsPerMinute}${t(lang, 'perMinute')} · ✕ ${h.errorsPerMinute}${t(lang, 'perMinute')}${frames}`;
}
