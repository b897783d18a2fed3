/**
 * The technician screen, reached by the corner gesture: first-time PIN setup (with the setup code
 * from the data dir), unlock (wrong PINs make the next try wait, never lock out), then the panel.
 * Leaving it, or idle time, locks it again.
 */
import { useEffect, useState } from 'preact/hooks';
import type { KioskApi, KioskStatus, SignInResult, TestScanResult } from '../../../src/shared/api.js';
import { t, type Lang } from '../i18n.js';
import { timeOf } from '../time.js';
import { TechPanel } from './tech-panel.js';

export interface TechSession {
  session: string;
  idleMs: number;
}

export interface TechProps {
  lang: Lang;
  api: KioskApi;
  status: KioskStatus | null;
  session: TechSession | null;
  setSession: (s: TechSession | null) => void;
  /** Locks and returns to the public view. */
  onLeave: () => void;
  testResult: TestScanResult | null;
  /** Sends the next wedge scan to the test scan (not recorded). */
  armTestScan: (session: string) => void;
}

export function Technician(props: TechProps) {
  const { status, session } = props;
  if (session) return <TechPanel {...props} session={session.session} />;
  if (status?.needsSetup) return <PinSetup {...props} />;
  return <PinPad {...props} />;
}

/** The message for a refused unlock, setup or sign-in. */
export function refusal(lang: Lang, r: Exclude<SignInResult, { ok: true }>, tz: string | undefined): string {
  if (r.reason === 'wait' || (r.reason === 'wrong-pin' && r.retryAt)) return t(lang, 'waitUntil', { time: timeOf(r.retryAt!, lang, tz) });
  if (r.reason === 'no-pin') return t(lang, 'setupHint');
  return t(lang, 'wrongPin');
}

function PinSetup({ lang, api, status, setSession, onLeave }: TechProps) {
  const [code, setCode] = useState('');
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
            const r = await api.techSetup(code, pin);
            if (r.ok) setSession({ session: r.session, idleMs: r.idleMs });
            else setMessage(refusal(lang, r, status?.timeZone));
          } catch (err) {
            setMessage((err as Error).message);
          }
        }}
      >
        <h2>{t(lang, 'setupPin')}</h2>
        <p>{t(lang, 'setupHint')}</p>
        <label>{t(lang, 'setupCode')}<input name="setupCode" data-typed-entry inputMode="numeric" autoComplete="off" pattern="\d{8}" required value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} /></label>
        <label>{t(lang, 'newPin')}<input name="pin" data-typed-entry type="password" inputMode="numeric" autoComplete="off" pattern="\d{6,12}" required value={pin} onInput={(e) => setPin((e.target as HTMLInputElement).value)} /></label>
        <label>{t(lang, 'confirmPin')}<input name="pin2" data-typed-entry type="password" inputMode="numeric" pattern="\d{6,12}" required value={again} onInput={(e) => setAgain((e.target as HTMLInputElement).value)} /></label>
        <div class="row">
          <button type="submit">{t(lang, 'save')}</button>
          <button type="button" data-testid="tech-leave" onClick={onLeave}>{t(lang, 'cancel')}</button>
        </div>
        {message && <p role="alert" class="message" data-testid="pin-message">{message}</p>}
      </form>
    </section>
  );
}

function PinPad({ lang, api, status, setSession, onLeave }: TechProps) {
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState('');
  useEffect(() => {
    void api.techState().then((s) => s.retryAt && setMessage(t(lang, 'waitUntil', { time: timeOf(s.retryAt, lang, status?.timeZone) })));
  }, []);
  return (
    <section class="tech" data-screen="tech-pin">
      <form
        class="pin-form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await api.techUnlock(pin);
            setPin('');
            if (r.ok) return setSession({ session: r.session, idleMs: r.idleMs });
            setMessage(refusal(lang, r, status?.timeZone));
          } catch (err) {
            setMessage((err as Error).message);
          }
        }}
      >
        <h2>{t(lang, 'technician')}</h2>
        <label>
          {t(lang, 'pin')}
          <input name="pin" data-typed-entry type="password" inputMode="numeric" autoComplete="off" maxLength={12} value={pin} onInput={(e) => setPin((e.target as HTMLInputElement).value)} />
        </label>
        <div class="row">
          <button type="submit">{t(lang, 'unlock')}</button>
          <button type="button" data-testid="tech-leave" onClick={onLeave}>{t(lang, 'cancel')}</button>
        </div>
        {message && <p role="alert" class="message" data-testid="pin-message">{message}</p>}
      </form>
    </section>
  );
}
