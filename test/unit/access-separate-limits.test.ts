/**
 * Each secret typed on the screen has its own wrong-attempt count: the success of one never
 * clears the failures of another. With one shared count, an officer signing in with their own
 * code between technician PIN guesses reset the wait every third guess (300 guesses in 28 s).
 */
import { describe, expect, it } from 'vitest';
import { AccessControl } from '../../src/app/access/access-control.js';
import { applyPin } from '../../src/app/access/provision-pin.js';
import { hashPin, PIN_SETTINGS } from '../../src/app/tech-pin.js';
import type { CheckInStore } from '../../src/store/types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function fakeStore() {
  const m = new Map<string, string>();
  const audit: unknown[] = [];
  const store = { getSetting: (k: string) => m.get(k), setSetting: (k: string, v: string) => void m.set(k, v), audit: (e: unknown) => void audit.push(e) };
  return { store: store as unknown as CheckInStore, m, audit };
}

async function setup() {
  let now = 1_000_000;
  const clock = { now: () => now };
  const s = fakeStore();
  s.m.set(PIN_SETTINGS.hash, await hashPin('482913', 1024));
  const access = new AccessControl(s.store, clock, { scryptN: 1024 });
  const code = await access.officers.issue('CB-0417', '2026-12-07T00:00:00Z');
  return { access, s, code, advance: (ms: number) => (now += ms), clock };
}

describe('separate wrong-attempt counts', () => {
  it('an officer sign-in between wrong technician PINs does not reset the technician wait', async () => {
    const { access, code } = await setup();
    let waits = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) {
        const r = await access.techUnlock('000000');
        if (!r.ok && r.reason === 'wait') waits++;
      }
      expect((await access.officerSignIn('CB-0417', code, 60_000)).ok).toBe(true);
    }
    // Three free failures, then every checked failure starts a wait the next try must respect.
    expect(waits).toBeGreaterThanOrEqual(10);
    expect(access.state().retryAt).toBeDefined();
  });

  it('technician PIN failures are cleared by the correct technician PIN only', async () => {
    const { access, advance } = await setup();
    for (let i = 0; i < 4; i++) await access.techUnlock('000000');
    expect(await access.techUnlock('482913')).toMatchObject({ ok: false, reason: 'wait' });
    advance(1000);
    expect((await access.techUnlock('482913')).ok).toBe(true);
    // Cleared: three free failures again.
    for (let i = 0; i < 3; i++) expect(await access.techUnlock('000000')).toEqual({ ok: false, reason: 'wrong-pin' });
  });

  it('wrong technician PINs do not make officers wait, and one officer does not clear another officer\'s failures', async () => {
    const { access, code, advance } = await setup();
    const other = await access.officers.issue('CB-0418', '2026-12-07T00:00:00Z');
    for (let i = 0; i < 6; i++) await access.techUnlock('000000');
    expect((await access.officerSignIn('CB-0417', code, 60_000)).ok).toBe(true);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) {
        advance(30_000);
        expect(await access.officerSignIn('CB-0418', '00000000', 60_000)).toMatchObject({ ok: false, reason: 'wrong-pin' });
      }
      advance(30_000);
      expect((await access.officerSignIn('CB-0417', code, 60_000)).ok).toBe(true);
    }
    // CB-0418's nine wrong codes still count (the all-officers count forgotten meanwhile): the next wrong one starts a wait.
    advance(16 * 60_000);
    expect(await access.officerSignIn('CB-0418', '00000000', 60_000)).toMatchObject({ ok: false, reason: 'wrong-pin', retryAt: expect.any(String) });
    expect(await access.officerSignIn('CB-0418', other, 60_000)).toMatchObject({ ok: false, reason: 'wait' });
  });

  it('guesses spread over several officers\' ids wait as one count, forgotten 15 minutes after the last', async () => {
    const { access, code, advance } = await setup();
    for (const id of ['CB-1', 'CB-2', 'CB-3', 'CB-4', 'CB-5']) await access.officers.issue(id, '2026-12-07T00:00:00Z');
    for (const id of ['CB-1', 'CB-2', 'CB-3', 'CB-4']) expect(await access.officerSignIn(id, '00000000', 60_000)).toMatchObject({ ok: false, reason: 'wrong-pin' });
    // Four wrong codes in all: the next officer sign-in, anyone's, waits; a right one does not clear the count.
    expect(await access.officerSignIn('CB-5', '00000000', 60_000)).toMatchObject({ ok: false, reason: 'wait' });
    advance(1000);
    expect((await access.officerSignIn('CB-0417', code, 60_000)).ok).toBe(true);
    expect(await access.officerSignIn('CB-5', '00000000', 60_000)).toMatchObject({ ok: false, reason: 'wrong-pin', retryAt: expect.any(String) });
    advance(15 * 60_000 + 1000);
    expect(await access.officerSignIn('CB-5', '00000000', 60_000)).toEqual({ ok: false, reason: 'wrong-pin' });
  });

  it('setting the PIN from the command line or the panel keeps the wrong-PIN count', async () => {
    const { access, s } = await setup();
    for (let i = 0; i < 4; i++) await access.techUnlock('000000');
    const dir = mkdtempSync(join(tmpdir(), 'ck-limits-'));
    try {
      expect(await applyPin(s.store, '739164', dir, '2026-12-07T00:00:00Z', 'test', 1024)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(s.m.get('access.failures')).toBe('4');
    await access.setPin('739164');
    expect(s.m.get('access.failures')).toBe('4');
  });
});
