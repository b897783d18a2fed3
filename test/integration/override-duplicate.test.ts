/**
 * The duplicate window and officer overrides (real KioskService, real SQLite store): a re-read of
 * text that identified nobody (unreadable, unknown format …) does not inherit an officer's accept
 * of the earlier reading: it is judged and recorded on its own. A re-read of a card that did
 * identify its holder still folds into the overridden check-in and shows the officer's verdict,
 * with the override's reasons (none for an accept) as the current reasons.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildKiosk } from '../../src/app/build.js';
import type { KioskService } from '../../src/app/kiosk.js';
import { createKioskApi, type KioskApiService } from '../../src/app/api.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import type { ScanResult } from '../../src/shared/api.js';
import { CCCD_VALID } from '../fixtures/identity/samples.js';

let tmp: string;
let kiosk: KioskService;
let api: KioskApiService;

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ovr-dup-'));
  const dataDir = path.join(tmp, 'kiosk');
  kiosk = await buildKiosk({ dataDir, scanners: [], clock: systemClock, timers: systemTimers, logger: silentLogger });
  await kiosk.start();
  api = createKioskApi({ kiosk, clock: systemClock, timers: systemTimers, logger: silentLogger, exportDir: path.join(tmp, 'exports'), pin: { scryptN: 1024, setupCodeFile: path.join(dataDir, 'setup-code') } });
});

afterEach(async () => {
  api.close();
  await kiosk.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function officerSession(): Promise<string> {
  const r = await api.techSetup(fs.readFileSync(path.join(tmp, 'kiosk', 'setup-code'), 'utf8').trim(), '246813');
  if (!r.ok) throw new Error(r.reason);
  await api.techConfigure(r.session, { profile: 'booth' });
  const { code } = await api.techIssueOfficerCode(r.session, 'officer-117');
  const s = await api.officerSignIn('officer-117', code);
  if (!s.ok) throw new Error(s.reason);
  return s.session;
}

function outcomeOf(r: ScanResult) {
  if (!r.ok) throw new Error('scan not recorded');
  return r.outcome;
}

describe('a re-read after an officer override', () => {
  it.each([
    ['unknown-format', 'garbage that is no credential at all'],
    ['unreadable', 'HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEMWK+BHI2E.J2:E3W'],
  ])('of text that identified nobody (%s) is judged and recorded on its own, not green', async (reason, text) => {
    const first = outcomeOf(await api.submitScan({ text, source: 'wedge' }));
    expect(first).toMatchObject({ kind: 'checkin', verdict: 'reject' });
    expect(first.reasons).toContain(reason);
    const officer = await officerSession();
    const row = await api.overrideCheckIn(officer, { id: first.id, verdict: 'accept', reason: 'paper certificate checked' });
    expect(row.override).toMatchObject({ verdict: 'accept', reasons: [] });

    const again = outcomeOf(await api.submitScan({ text, source: 'wedge' }));
    expect(again.kind).toBe('checkin');
    expect(again.id).not.toBe(first.id);
    expect(again.verdict).toBe('reject');
    expect(again.reasons).toContain(reason);
    expect([...kiosk.store.all()]).toHaveLength(2);
    // The reading recorded on its own is the latest of that text: the next re-read folds into it, red.
    const third = outcomeOf(await api.submitScan({ text, source: 'wedge' }));
    expect(third).toMatchObject({ kind: 'duplicate', id: again.id, verdict: 'reject' });
  });

  it('of a card that identified its holder folds into the overridden check-in, with the officer verdict and its reasons', async () => {
    const text = CCCD_VALID[0]!.text;
    const first = outcomeOf(await api.submitScan({ text, source: 'wedge' }));
    expect(first).toMatchObject({ kind: 'checkin', verdict: 'accept' });
    const officer = await officerSession();
    const row = await api.overrideCheckIn(officer, { id: first.id, verdict: 'reject', reason: 'photo does not match the holder' });
    expect(row.override).toMatchObject({ verdict: 'reject', reasons: first.reasons });
    const again = outcomeOf(await api.submitScan({ text, source: 'wedge' }));
    expect(again).toMatchObject({ kind: 'duplicate', id: first.id, verdict: 'reject', reasons: first.reasons });
    const back = await api.overrideCheckIn(officer, { id: first.id, verdict: 'accept', reason: 'holder confirmed by phone' });
    expect(back.override).toMatchObject({ verdict: 'accept', reasons: [] });
    // The check-in keeps the scan's reasons; the current verdict's are the override's.
    expect(kiosk.store.get(first.id)).toMatchObject({ verdict: 'accept', reasons: first.reasons, override: { verdict: 'accept', reasons: [] } });
    expect(outcomeOf(await api.submitScan({ text, source: 'wedge' }))).toMatchObject({ kind: 'duplicate', id: first.id, verdict: 'accept', reasons: [] });
  });
});
