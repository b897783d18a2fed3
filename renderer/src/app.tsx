/**
 * The kiosk UI. The public sees the attract and result screens only; there is no navigation.
 * Officer screens (booth profile) open after an officer signs in; the technician panel after a
 * long press in the top-left corner and the PIN. Both end after idle time or when left, and the
 * public view comes back. A scan that arrives while a non-public screen is open still shows its
 * verdict, as an overlay. The service enforces every role itself (API_ROLES): this file only
 * decides what to draw.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KioskStatus, TestScanResult } from '../../src/shared/api.js';
import type { ApiHandle } from './api-client.js';
import { t, type Lang } from './i18n.js';
import { playSound } from './sound.js';
import { createWedgeDetector, isTypedEntry } from './wedge.js';
import { installLockdown } from './lockdown.js';
import { TechCorner } from './hold-gesture.js';
import { useIdle } from './idle.js';
import { Attract } from './screens/attract.js';
import { ResultScreen, soundOf, spokenResult, type ResultView } from './screens/result.js';
import { VerdictOverlay } from './screens/verdict-overlay.js';
import { StatusBar } from './screens/status-bar.js';
import { Booth } from './screens/booth.js';
import { OfficerSignIn } from './screens/officer-sign-in.js';
import { Technician, type TechSession } from './screens/technician.js';

/** Buttons give focus back: a wedge scanner's Enter must not press the last touched button. */
export const blur = (e: Event) => (e.currentTarget as HTMLElement | null)?.blur();

/** public: attract/result. sign-in: officer sign-in form. booth: signed-in officer. tech: technician. */
export type Mode = 'public' | 'sign-in' | 'booth' | 'tech';

export interface OfficerSession {
  session: string;
  officerId: string;
  idleMs: number;
}

export interface AppOptions {
  /** How long a verdict stays on screen, ms. */
  resultMs: number;
  initialLang: Lang;
}

export function App({ handle, options }: { handle: ApiHandle; options: AppOptions }) {
  const { api } = handle;
  const [lang, setLang] = useState<Lang>(options.initialLang);
  const [mode, setMode] = useState<Mode>('public');
  const [status, setStatus] = useState<KioskStatus | null>(null);
  const [connected, setConnected] = useState(false);
  const [result, setResult] = useState<ResultView | null>(null);
  const [tick, setTick] = useState(0);
  const [officer, setOfficer] = useState<OfficerSession | null>(null);
  const [tech, setTech] = useState<TechSession | null>(null);
  const [testResult, setTestResult] = useState<TestScanResult | null>(null);
  /** Set while the technician has armed a test scan: the next wedge scan goes there, unrecorded. */
  const testSink = useRef<((text: string) => void) | null>(null);

  useEffect(() => installLockdown(), []);

  useEffect(() => {
    const offs = [
      api.on('outcome', (outcome) => {
        const view: ResultView = { kind: 'outcome', outcome };
        setResult(view);
        setTick((n) => n + 1);
        playSound(soundOf(view));
        // The paint of the verdict, for the UI latency benchmark.
        requestAnimationFrame(() => performance.mark('verdict-painted'));
      }),
      // One QR code of a multi-QR card read: ask for the next (nothing recorded yet).
      api.on('chunk', (chunk) => {
        const view: ResultView = { kind: 'chunk', chunk };
        setResult(view);
        playSound(soundOf(view));
      }),
      api.on('fault', () => {
        setResult({ kind: 'fault' });
        playSound('fault');
      }),
      api.on('status', setStatus),
      handle.onConnection((up) => {
        setConnected(up);
        if (up) void api.getStatus().then(setStatus);
      }),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  // The central configuration profile may set the screen language and the verdict time; a
  // language it sets is applied when it changes, and the language button still works in between.
  const remoteLang = status?.display?.language;
  useEffect(() => {
    if (remoteLang) setLang(remoteLang);
  }, [remoteLang]);
  const resultMs = (status?.display?.resultTimeoutSeconds ?? 0) * 1000 || options.resultMs;

  useEffect(() => {
    if (!result) return;
    const timer = setTimeout(() => setResult(null), resultMs);
    return () => clearTimeout(timer);
  }, [result]);

  useEffect(() => {
    const detector = createWedgeDetector({
      onScan: (text, info) => {
        performance.mark('wedge-scan-end');
        // A too-large burst arrives without text: submitted as such, it is a rejected too-large check-in.
        const payload = info.fault ? '' : text;
        const sink = testSink.current;
        if (sink) {
          testSink.current = null;
          sink(payload);
        } else void api.submitScan({ text: payload, source: 'wedge', ...(info.fault ? { fault: info.fault } : {}) });
      },
    });
    const onKey = (e: KeyboardEvent) => {
      // A PIN or sign-in field: its keys are the person's (or their password manager's), however fast.
      if (isTypedEntry(e.target)) return;
      if (detector.feed({ code: e.code, key: e.key, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, repeat: e.repeat, timeStamp: e.timeStamp })) {
        e.preventDefault();
        // The burst was typed into whatever had focus: clear it, it was a scan, not input.
        const target = e.target as HTMLInputElement | null;
        if (target && 'value' in target && target.tagName === 'INPUT') target.value = '';
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      detector.dispose();
    };
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const profile = status?.profile ?? 'venue';
  const toPublic = () => {
    testSink.current = null;
    setTestResult(null);
    setMode('public');
  };
  const signOut = () => {
    if (officer) void api.officerSignOut(officer.session).catch(() => undefined);
    setOfficer(null);
    toPublic();
  };
  const lockTech = () => {
    if (tech) void api.techLock(tech.session).catch(() => undefined);
    setTech(null);
    toPublic();
  };

  // Idle ends the session and brings the public view back (the service expires it too).
  useIdle(mode === 'booth' && officer ? officer.idleMs : null, signOut);
  useIdle(mode === 'tech' ? (tech?.idleMs ?? 120_000) : null, lockTech);
  useIdle(mode === 'sign-in' ? 60_000 : null, toPublic);
  // A profile switched to venue ends the booth at once.
  useEffect(() => {
    if (profile !== 'booth' && (mode === 'booth' || mode === 'sign-in')) signOut();
  }, [profile]);

  // The chunk prompt's "Cancel this card": the held chunks become one rejected check-in, whose
  // verdict then comes as an outcome like any other.
  const cancelChunks = () => void api.cancelChunks().catch(() => undefined);
  const publicView = result ? <ResultScreen lang={lang} view={result} timeZone={status?.timeZone} onCancelChunks={cancelChunks} /> : <Attract lang={lang} status={status} />;

  return (
    <div class={`app mode-${mode} profile-${profile}`} data-mode={mode} data-profile={profile}>
      <header class="topbar">
        {mode === 'public' && <TechCorner onOpen={() => setMode('tech')} />}
        <span class="topbar-checkpoint">{status?.checkpointName ?? status?.checkpointId ?? ''}</span>
        <div class="topbar-actions">
          {profile === 'booth' && mode === 'public' && (
            <button data-testid="officer-sign-in" onClick={(e) => (blur(e), setMode(officer ? 'booth' : 'sign-in'))}>
              {t(lang, 'officerSignIn')}
            </button>
          )}
          {mode === 'booth' && officer && (
            <>
              <span class="signed-in" data-testid="signed-in">{t(lang, 'signedInAs', { id: officer.officerId })}</span>
              <button data-testid="sign-out" onClick={(e) => (blur(e), signOut())}>{t(lang, 'signOut')}</button>
            </>
          )}
          <button class="lang" data-testid="lang" onClick={(e) => (blur(e), setLang(lang === 'vi' ? 'en' : 'vi'))}>
            {t(lang, 'language')}
          </button>
        </div>
      </header>
      <main>
        {mode === 'public' && publicView}
        {mode === 'sign-in' && (
          <OfficerSignIn
            lang={lang}
            api={api}
            timeZone={status?.timeZone}
            onCancel={toPublic}
            onSignedIn={(s) => {
              setOfficer(s);
              setMode('booth');
            }}
          />
        )}
        {mode === 'booth' && officer && <Booth lang={lang} api={api} status={status} tick={tick} session={officer.session} onUnauthorized={signOut} />}
        {mode === 'tech' && (
          <Technician
            lang={lang}
            api={api}
            status={status}
            session={tech}
            setSession={setTech}
            onLeave={lockTech}
            testResult={testResult}
            armTestScan={(session) => {
              setTestResult(null);
              testSink.current = (text) => void api.techTestScan(session, text).then(setTestResult, () => setTestResult(null));
            }}
          />
        )}
        {mode !== 'public' && result && <VerdictOverlay lang={lang} view={result} timeZone={status?.timeZone} onClose={() => setResult(null)} />}
      </main>
      <div class="sr-only" aria-live="assertive" aria-atomic="true" data-testid="live">
        {result ? spokenResult(lang, result) : ''}
      </div>
      <StatusBar lang={lang} status={status} connected={connected} />
    </div>
  );
}
