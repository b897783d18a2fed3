/** The idle screen: what to do, in both languages, the checkpoint and the time. */
import { useEffect, useState } from 'preact/hooks';
import type { KioskStatus } from '../../../src/shared/api.js';
import { t, type Lang } from '../i18n.js';
import { clockOf, dateOf } from '../time.js';
import { CameraPreview } from './camera-preview.js';

export function Attract({ lang, status }: { lang: Lang; status: KioskStatus | null }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section class="attract" data-screen="attract">
      <div class="qr-glyph" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
      </div>
      <CameraPreview lang={lang} status={status} />
      <h1 class="attract-main">{t(lang, 'scanPrompt')}</h1>
      <p class="attract-other">{t(lang, 'scanPromptOther')}</p>
      <p class="attract-checkpoint">
        {t(lang, 'checkpoint')}: <strong>{status?.checkpointName ?? status?.checkpointId ?? '…'}</strong>
      </p>
      <p class="attract-clock" data-testid="clock">
        {clockOf(now, lang, status?.timeZone)} · {dateOf(now, lang, status?.timeZone)}
      </p>
    </section>
  );
}
