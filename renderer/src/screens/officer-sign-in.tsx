/** Officer sign-in at a booth: officer id and the sign-in code the technician issued. */
import { useState } from 'preact/hooks';
import type { KioskApi } from '../../../src/shared/api.js';
import { t, type Lang } from '../i18n.js';
import { timeOf } from '../time.js';
import type { OfficerSession } from '../app.js';

interface Props {
  lang: Lang;
  api: KioskApi;
  timeZone?: string | undefined;
  onSignedIn: (s: OfficerSession) => void;
  onCancel: () => void;
}

export function OfficerSignIn({ lang, api, timeZone, onSignedIn, onCancel }: Props) {
  const [officerId, setOfficerId] = useState('');
  const [code, setCode] = useState('');
  const [message, setMessage] = useState('');
  return (
    <section class="tech" data-screen="officer-sign-in">
      <form
        class="pin-form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await api.officerSignIn(officerId.trim(), code);
            setCode('');
            if (r.ok) return onSignedIn({ session: r.session, officerId: r.actor, idleMs: r.idleMs });
            if (r.reason === 'wait') setMessage(t(lang, 'waitUntil', { time: timeOf(r.retryAt, lang, timeZone) }));
            else setMessage(r.reason === 'wrong-pin' && r.retryAt ? t(lang, 'waitUntil', { time: timeOf(r.retryAt, lang, timeZone) }) : t(lang, 'wrongCode'));
          } catch (err) {
            setMessage(`${t(lang, 'error')}: ${(err as Error).message}`);
          }
        }}
      >
        <h2>{t(lang, 'officerSignIn')}</h2>
        <label>
          {t(lang, 'officerId')}
          <input name="officerId" data-typed-entry autoComplete="off" maxLength={32} required value={officerId} onInput={(e) => setOfficerId((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t(lang, 'officerCode')}
          <input name="code" data-typed-entry type="password" inputMode="numeric" autoComplete="off" maxLength={16} required value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
        </label>
        <div class="row">
          <button type="submit">{t(lang, 'signIn')}</button>
          <button type="button" onClick={onCancel}>{t(lang, 'cancel')}</button>
        </div>
        {message && <p role="alert" class="message" data-testid="sign-in-message">{message}</p>}
      </form>
    </section>
  );
}
