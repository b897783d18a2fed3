/**
 * The enrollment attempt secret (src/app/enroll-attempt.ts): one per code, kept across retries and
 * restarts until the enrollment is saved, the same for the code however it was typed, and a new
 * one for another code or after the enrollment it was for.
 */
import { expect, it } from 'vitest';
import { attemptDone, attemptFor } from '../../src/app/enroll-attempt.js';
import { SETTINGS } from '../../src/app/settings.js';

function memoryStore() {
  const m = new Map<string, string>();
  return { getSetting: (k: string) => m.get(k), setSetting: (k: string, v: string) => void m.set(k, v), m };
}

it('keeps one secret per code until the enrollment is saved, whatever the case and spaces of the code', () => {
  const store = memoryStore();
  const first = attemptFor(store, 'K7QM-2XRP-9HTD');
  expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(attemptFor(store, 'k7qm-2xrp-9htd ')).toBe(first);
  // Stored before it is used, without the code in clear.
  const kept = store.m.get(SETTINGS.enrollAttempt)!;
  expect(kept).toContain(first);
  expect(kept.toUpperCase()).not.toContain('K7QM');

  const other = attemptFor(store, 'ANOTHER-CODE-42');
  expect(other).not.toBe(first);
  expect(attemptFor(store, 'K7QM-2XRP-9HTD')).not.toBe(first); // the other code replaced it

  attemptDone(store);
  expect(store.m.get(SETTINGS.enrollAttempt)).toBe('');
  const again = attemptFor(store, 'ANOTHER-CODE-42');
  expect(again).not.toBe(other);
});

it('starts afresh when what is kept is damaged', () => {
  const store = memoryStore();
  store.setSetting(SETTINGS.enrollAttempt, '{"code":"x","attempt":"short"}');
  expect(attemptFor(store, 'K7QM-2XRP-9HTD')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  store.setSetting(SETTINGS.enrollAttempt, 'not json');
  expect(attemptFor(store, 'K7QM-2XRP-9HTD')).toMatch(/^[A-Za-z0-9_-]{43}$/);
});
