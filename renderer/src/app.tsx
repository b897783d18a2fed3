/**
 * The kiosk UI: attract/result for the public, booth for officers, technician behind a PIN, and
 * a status bar on every screen. Keyboard-wedge scans are detected here and fed to the API
 * (or, while the technician panel is open, to its test scan).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KioskStatus, TestScanResult } from '../../src/shared/api.js';
import type { ApiHandle } from './api-client.js';
import { t, type Lang } from './i18n.js';
import { playSound } from './sound.js';
import { createWedgeDetector } from './wedge.js';
import { Attract } from './screens/attract.js';
import { ResultScreen, soundOf, spokenResult, type ResultView } from './screens/result.js';
import { StatusBar } from './screens/status-bar.js';
import { Booth } from './screens/booth.js';
import { Technician } from './screens/technician.js';

/** Buttons give focus back: a wedge scanner's Enter must not press the last touched button. */
const blur = (e: Event) => (e.currentTarget as HTMLElement | null)?.blur();

export type Screen = 'kiosk' | 'booth' | 'tech';

export interface AppOptions {
  /** How long a verdict stays on the kiosk screen, ms. */
  resultMs: number;
  initialScreen: Screen;
  initialLang: Lang;
}

export function App({ handle, options }: { handle: ApiHandle; options: AppOptions }) {
  const { api } = handle;
  const [lang, setLang] = useState<Lang>(options.initialLang);
  const [screen, setScreen] = useState<Screen>(options.initialScreen);
  const [status, setStatus] = useState<KioskStatus | null>(null);
  const [connected, setConnected] = useState(false);
  const [result, setResult] = useState<ResultView | null>(null);
  const [tick, setTick] = useState(0);
  const [session, setSession] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<TestScanResult | null>(null);
  const testSink = useRef<((text: string) => void) | null>(null);
  const setupShown = useRef(false);

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

  // First start without a PIN: open the technician setup instead of failing.
  useEffect(() => {
    if (status?.needsSetup && !setupShown.current) {
      setupShown.current = true;
      setScreen('tech');
    }
  }, [status?.needsSetup]);

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

  testSink.current =
    screen === 'tech' && session
      ? (text) => void api.techTestScan(session, text).then(setTestResult, () => setTestResult(null))
      : null;

  useEffect(() => {
    const detector = createWedgeDetector({
      onScan: (text, info) => {
        performance.mark('wedge-scan-end');
        // A too-large burst arrives without text: submitted empty, it is rejected as unreadable.
        const payload = info.fault ? '' : text;
        if (testSink.current) testSink.current(payload);
        else void api.submitScan({ text: payload, source: 'wedge' });
      },
    });
    const onKey = (e: KeyboardEvent) => {
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

  const nav = (target: Screen, label: string) => (
    <button class={screen === target ? 'active' : ''} aria-current={screen === target ? 'page' : undefined} data-nav={target} onClick={(e) => (blur(e), setScreen(target))}>
      {label}
    </button>
  );

  return (
    <div class={`app screen-${screen}`}>
      <header class="topbar">
        <span class="topbar-checkpoint">{status?.checkpointName ?? status?.checkpointId ?? ''}</span>
        <nav>
          {nav('kiosk', t(lang, 'kiosk'))}
          {nav('booth', t(lang, 'booth'))}
          {nav('tech', t(lang, 'technician'))}
        </nav>
        <button class="lang" data-testid="lang" onClick={(e) => (blur(e), setLang(lang === 'vi' ? 'en' : 'vi'))}>
          {t(lang, 'language')}
        </button>
      </header>
      <main>
        {screen === 'kiosk' && (result ? <ResultScreen lang={lang} view={result} /> : <Attract lang={lang} status={status} />)}
        {screen === 'booth' && (
          <>
            {result && <ResultScreen lang={lang} view={result} compact />}
            <Booth lang={lang} api={api} status={status} tick={tick} />
          </>
        )}
        {screen === 'tech' && <Technician lang={lang} api={api} status={status} session={session} setSession={setSession} testResult={testResult} />}
      </main>
      <div class="sr-only" aria-live="assertive" aria-atomic="true" data-testid="live">
        {result ? spokenResult(lang, result) : ''}
      </div>
      <StatusBar lang={lang} status={status} connected={connected} />
    </div>
  );
}
