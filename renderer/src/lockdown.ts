/**
 * What a passer-by can do to the page besides scanning: nothing useful. Installed once for the
 * whole app (every screen is on a public kiosk): no context menu, no browser shortcuts (Ctrl/Alt/
 * Meta chords, function keys, Backspace as "back"), no history navigation (back/forward keys and
 * mouse buttons, swipe), no zoom (Ctrl+wheel, pinch: with the CSS `touch-action` and the viewport
 * meta), no text selection or drag outside form fields.
 *
 * Keys are only prevented, never stopped: the keyboard-wedge detector still sees every key, and a
 * scanner types plain or Shift-ed keys only. Inside a form field an officer keeps copy/paste/undo.
 * Browser-level shortcuts a page cannot catch (Ctrl+W, Alt+F4) are the kiosk browser's job:
 * Electron blocks them in main (window.ts), Chromium `--kiosk` has no tabs or window frame.
 */
import { inField, isBlockedKey } from './blocked-keys.js';

export { isBlockedKey };

export function installLockdown(win: Window = window): () => void {
  const doc = win.document;
  const prevent = (e: Event) => e.preventDefault();
  const onKey = (e: KeyboardEvent) => {
    if (isBlockedKey(e)) e.preventDefault();
  };
  const outsideFields = (e: Event) => {
    if (!inField(e.target)) e.preventDefault();
  };
  const onWheel = (e: WheelEvent) => {
    if (e.ctrlKey) e.preventDefault();
  };
  // Mouse buttons 3 and 4 are back and forward.
  const onMouse = (e: MouseEvent) => {
    if (e.button === 3 || e.button === 4) e.preventDefault();
  };
  // Back/forward that still happens (a swipe, a key the page never saw) comes straight back.
  const here = win.location.href;
  const onPop = () => win.history.pushState(null, '', here);
  win.history.pushState(null, '', here);

  const listeners: [EventTarget, string, EventListener, AddEventListenerOptions][] = [
    [win, 'keydown', onKey as EventListener, { capture: true }],
    [doc, 'contextmenu', prevent, { capture: true }],
    [doc, 'dragstart', prevent, { capture: true }],
    [doc, 'drop', prevent, { capture: true }],
    [doc, 'dragover', prevent, { capture: true }],
    [doc, 'selectstart', outsideFields, { capture: true }],
    [win, 'wheel', onWheel as EventListener, { capture: true, passive: false }],
    [doc, 'gesturestart', prevent, { capture: true, passive: false }],
    [win, 'mouseup', onMouse as EventListener, { capture: true }],
    [win, 'mousedown', onMouse as EventListener, { capture: true }],
    [win, 'auxclick', prevent, { capture: true }],
    [win, 'popstate', onPop, {}],
  ];
  for (const [target, type, fn, opts] of listeners) target.addEventListener(type, fn, opts);
  return () => {
    for (const [target, type, fn, opts] of listeners) target.removeEventListener(type, fn, opts);
  };
}
