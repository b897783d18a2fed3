/** Officer ids are one officer whatever their letter case: revoking OFFICER-117 covers officer-117. */
import { expect, it } from 'vitest';
import { AccessControl } from '../../src/app/access/access-control.js';
import type { CheckInStore } from '../../src/store/types.js';

function fakeStore(): CheckInStore {
  const m = new Map<string, string>();
  return { getSetting: (k: string) => m.get(k), setSetting: (k: string, v: string) => void m.set(k, v), audit: () => undefined } as unknown as CheckInStore;
}

it('signs in, re-issues and revokes an officer whatever the letter case of the id', async () => {
  const access = new AccessControl(fakeStore(), { now: () => 1_000_000 }, { scryptN: 1024 });
  const code = await access.officers.issue('OFFICER-117', '2026-12-07T05:00:00Z');
  const signedIn = await access.officerSignIn('officer-117', code, 60_000);
  expect(signedIn).toMatchObject({ ok: true, actor: 'OFFICER-117' });
  if (!signedIn.ok) return;
  // Re-issuing under another spelling replaces the officer's code; it is not a second officer.
  const again = await access.officers.issue('Officer-117', '2026-12-07T05:01:00Z');
  expect(access.officers.list()).toHaveLength(1);
  expect(await access.officers.verify('OFFICER-117', code)).toBe(again === code);
  // Revoked as typed on the panel in upper case: the lower-case session ends, the code is gone.
  expect(access.officers.revoke('OFFICER-117')).toBe(true);
  access.sessions.closeAll('officer', 'OFFICER-117');
  expect(access.sessions.check(signedIn.session, 'officer')).toBeUndefined();
  expect(await access.officerSignIn('officer-117', again, 60_000)).toMatchObject({ ok: false });
  expect(access.officers.list()).toEqual([]);
});

it('closeAll ends a session opened under another spelling', () => {
  const access = new AccessControl(fakeStore(), { now: () => 0 }, { scryptN: 1024 });
  const s = access.sessions.open('officer', 'officer-117', 60_000);
  access.sessions.closeAll('officer', 'OFFICER-117');
  expect(access.sessions.check(s.token, 'officer')).toBeUndefined();
});
