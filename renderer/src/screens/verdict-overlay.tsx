/**
 * A verdict shown over a non-public screen (booth, technician, sign-in): the person at the
 * scanner still sees their result, and the officer or technician sees that a check-in happened.
 * It closes by itself with the result timer, or at a touch.
 */
import { t, type Lang } from '../i18n.js';
import { ResultScreen, type ResultView } from './result.js';

export function VerdictOverlay({ lang, view, timeZone, onClose }: { lang: Lang; view: ResultView; timeZone?: string | undefined; onClose: () => void }) {
  return (
    <div class="verdict-overlay" data-testid="verdict-overlay" role="dialog" aria-label={t(lang, 'verdictOverlay')} onClick={onClose}>
      <ResultScreen lang={lang} view={view} timeZone={timeZone} />
    </div>
  );
}
