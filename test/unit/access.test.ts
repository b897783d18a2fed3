import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from '../../src/app/access/attempt-limiter.js';
import { SessionRegistry } from '../../src/app/access/sessions.js';
import { OfficerRegistry } from '../../src/app/access/officers.js';
import { isBlockedKey } from '../../renderer/src/blocked-keys.js';

function settings() {
  const m = new Map<string, string>();
  return { getSetting: (k: string) => m.get(k), setSetting: (k: string, v: string) => void m.set(k, v), m };
}

describe('AttemptLimiter', () => {
  it('lets 3 failures through, then doubles the wait from 1 s up to 30 s, and resets on success', () => {
    let now = 1_000_000;
    const store = settings();
    const limiter = new AttemptLimiter(store, { now: () => now }, 'access');
    const waits = Array.from({ length: 12 }, () => limiter.failed() - now);
    expect(waits).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(limiter.gate()).toEqual({ ok: false, retryAt: now + 30_000 });
    now += 30_000;
    expect(limiter.gate()).toEqual({ ok: true });
    // A second limiter over the same store (a restart) sees the same count.
    expect(new AttemptLimiter(store, { now: () => now }, 'access').failures()).toBe(12);
    limiter.succeeded();
    expect(limiter.failed() - now).toBe(0);
  });
});

describe('SessionRegistry', () => {
  it('checks role and idle time, renews on use, and closes by actor', () => {
    let now = 0;
    const reg = new SessionRegistry({ now: () => now });
    const a = reg.open('officer', 'CB-1', 60_000);
    const b = reg.open('officer', 'CB-2', 60_000);
    const t = reg.open('technician', 'technician', 60_000);
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    expect(reg.check(a.token, 'technician')).toBeUndefined();
    now = 59_000;
    expect(reg.check(a.token, 'officer')?.actor).toBe('CB-1');
    now = 118_000;
    expect(reg.check(a.token, 'officer')).toBeDefined(); // renewed at 59 s
    expect(reg.check(b.token, 'officer')).toBeUndefined(); // idle since 0
    reg.closeAll('officer', 'CB-1');
    expect(reg.check(a.token, 'officer')).toBeUndefined();
    expect(reg.check(t.token, 'technician')).toBeUndefined();
    expect(reg.check(null, 'officer')).toBeUndefined();
  });
});

describe('OfficerRegistry', () => {
  it('issues 8-digit codes kept only as hashes, verifies them per officer, and revokes', async () => {
    const store = settings();
    const officers = new OfficerRegistry(store, 1024);
    const code = await officers.issue('CB-0417', '2026-11-25T00:00:00Z');
    expect(code).toMatch(/^\d{8}$/);
    expect(store.m.get('booth.officers')).not.toContain(code);
    expect(await officers.verify('CB-0417', code)).toBe(true);
    expect(await officers.verify('CB-0418', code)).toBe(false);
    expect(await officers.verify('CB-0417', '00000000')).toBe(code === '00000000');
    await expect(officers.issue('Nguyễn Văn An', 'x')).rejects.toThrow(/officer id/);
    expect(officers.list()).toEqual([{ id: 'CB-0417', issuedAt: '2026-11-25T00:00:00Z' }]);
    expect(officers.revoke('CB-0417')).toBe(true);
    expect(await officers.verify('CB-0417', code)).toBe(false);
  });
});

describe('renderer lockdown keys', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}, target: unknown = null) =>
    isBlockedKey({ key: k, ctrlKey: false, altKey: false, metaKey: false, target, ...mods });
  it('blocks browser shortcuts and leaves scanner keys and field editing alone', () => {
    expect(key('r', { ctrlKey: true })).toBe(true);
    expect(key('ArrowLeft', { altKey: true })).toBe(true);
    expect(key('F5')).toBe(true);
    expect(key('Backspace')).toBe(true);
    expect(key('BrowserBack')).toBe(true);
    for (const k of ['A', '1', '|', 'Enter', 'Tab', ' ']) expect(key(k)).toBe(false);
    const input = { tagName: 'INPUT', isContentEditable: false };
    expect(key('v', { ctrlKey: true }, input)).toBe(false);
    expect(key('Backspace', {}, input)).toBe(false);
    expect(key('r', { ctrlKey: true }, input)).toBe(true);
  });
});
