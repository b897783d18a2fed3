/**
 * The verdict screen: a huge icon, colour and words together (colour is never the only signal:
 * each verdict has its own shape and word), the masked name and the reasons in plain words. Also
 * the prompt after one QR code of a multi-QR SMART Health Card: "Code 1 of 3 read — scan the next
 * one" (nothing is recorded until all of them are scanned), with a "Cancel this card" button that
 * ends the partly scanned card at once (recorded as one rejected check-in, as after its 60 s).
 */
import type { ChunkPrompt, ScreenOutcome } from '../../../src/shared/api.js';
import { chunkNumbers, formatName, reasonText, t, type Lang, type TextKey } from '../i18n.js';

export type ResultView = { kind: 'outcome'; outcome: ScreenOutcome } | { kind: 'fault' } | { kind: 'chunk'; chunk: ChunkPrompt };

export type ResultTone = 'accept' | 'refer' | 'reject' | 'duplicate' | 'fault' | 'chunk';

/**
 * A duplicate carries the verdict committed with the earlier check-in: an accepted person sees
 * "already checked in" (green), a rejected or referred one sees that verdict and its reasons again.
 */
export function toneOf(view: ResultView): ResultTone {
  if (view.kind === 'fault' || view.kind === 'chunk') return view.kind;
  return view.outcome.kind === 'duplicate' && view.outcome.verdict === 'accept' ? 'duplicate' : view.outcome.verdict;
}

/** The sound follows the committed verdict, like the relay and the beeper; a chunk gets a short blip. */
export function soundOf(view: ResultView): 'accept' | 'refer' | 'reject' | 'fault' | 'chunk' {
  return view.kind === 'outcome' ? view.outcome.verdict : view.kind;
}

const ICONS: Record<ResultTone, string> = { accept: '✓', refer: '!', reject: '✕', duplicate: '↺', fault: '⚠', chunk: '▦' };

/** Reasons worth showing to the person at the door (identity-only on an accept is not news). */
export function visibleReasons(view: ResultView): string[] {
  if (view.kind !== 'outcome') return [];
  const { outcome } = view;
  return outcome.reasons.filter((r) => !(outcome.verdict === 'accept' && r === 'identity-only') && !(outcome.kind === 'duplicate' && r === 'duplicate'));
}

/** One sentence for the aria-live region. */
export function spokenResult(lang: Lang, view: ResultView): string {
  if (view.kind === 'chunk') return `${chunkWord(lang, view.chunk)}. ${chunkHint(lang, view.chunk)}`;
  const tone = toneOf(view);
  const reasons = visibleReasons(view).map((r) => reasonText(lang, r));
  return [t(lang, tone as TextKey), t(lang, `${tone}Hint` as TextKey), ...reasons].join('. ');
}

/**
 * `timeZone` is unused today (the verdict shows no time); taken so every screen is called alike.
 * The credential is named by its format in the screen's language: the verifier's own title is
 * English-only ("Entry declaration") and stays on the technician's test scan.
 */
export function ResultScreen({
  lang,
  view,
  compact = false,
  onCancelChunks,
}: {
  lang: Lang;
  view: ResultView;
  compact?: boolean;
  timeZone?: string | undefined;
  /** Shown on a chunk prompt when given: cancels the partly scanned multi-QR card. */
  onCancelChunks?: () => void;
}) {
  const tone = toneOf(view);
  const name = view.kind === 'outcome' ? view.outcome.display.maskedName : undefined;
  const title = view.kind === 'outcome' && view.outcome.format !== 'unknown' ? formatName(lang, view.outcome.format) : undefined;
  const word = view.kind === 'chunk' ? chunkWord(lang, view.chunk) : t(lang, tone as TextKey);
  const hint = view.kind === 'chunk' ? chunkHint(lang, view.chunk) : t(lang, `${tone}Hint` as TextKey);
  return (
    <section class={`result tone-${tone}${compact ? ' compact' : ''}`} data-screen="result" data-verdict={tone}>
      <div class="result-icon" aria-hidden="true">
        <span>{ICONS[tone]}</span>
      </div>
      <div class="result-text">
        <h1 class="result-word">{word}</h1>
        <p class="result-hint">{hint}</p>
        {name && <p class="result-name">{name}</p>}
        {title && <p class="result-title">{title}</p>}
        <ul class="result-reasons">
          {visibleReasons(view).map((r) => (
            <li key={r} data-reason={r}>
              {reasonText(lang, r)}
            </li>
          ))}
        </ul>
        {view.kind === 'chunk' && onCancelChunks && (
          <button class="result-cancel" data-testid="chunk-cancel" onClick={onCancelChunks}>
            {t(lang, 'chunkCancel')}
          </button>
        )}
      </div>
    </section>
  );
}

/** "CODE 1 OF 3 READ". */
function chunkWord(lang: Lang, chunk: ChunkPrompt): string {
  return t(lang, 'chunk', { index: chunk.index, total: chunk.total });
}

/** "Scan the next one (still to scan: 2 and 3)". */
function chunkHint(lang: Lang, chunk: ChunkPrompt): string {
  return t(lang, 'chunkHint', { missing: chunkNumbers(lang, chunk.missing) });
}
