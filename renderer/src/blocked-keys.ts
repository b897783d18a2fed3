/**
 * Which keys the kiosk page swallows (see lockdown.ts). DOM-free, so it is unit-tested under Node:
 * the target is anything with a tag name.
 */
const EDIT_KEYS = new Set(['a', 'c', 'v', 'x', 'z', 'y']);

interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  target: unknown;
}

/** True when the event's target is a form field (where an officer types and may copy/paste). */
export function inField(target: unknown): boolean {
  const el = target as TargetLike | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable === true);
}

/**
 * True for a key the browser would act on and the page never needs: Ctrl/Meta chords (except
 * copy/paste/undo inside a field), Alt chords, function keys, Browser* keys, Backspace outside a
 * field. A scanner types plain or Shift-ed keys only, so none of its keys is blocked.
 */
export function isBlockedKey(e: KeyLike): boolean {
  if (e.ctrlKey || e.metaKey) return !(inField(e.target) && EDIT_KEYS.has(e.key.toLowerCase()));
  if (e.altKey) return true;
  if (/^F\d{1,2}$/.test(e.key) || e.key.startsWith('Browser')) return true;
  if (e.key === 'Backspace' && !inField(e.target)) return true;
  return false;
}
