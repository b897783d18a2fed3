/**
 * The duplicate window on a real store, for every pair the issue names: a first scan that was
 * accepted, referred or rejected, followed by the same credential or by a different one. A scan
 * folds into the earlier check-in only when it is the same credential with the same verdict; a
 * duplicate shows and switches what was committed, never the new scan's own verdict.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KioskService } from '../../src/app/kiosk.js';
import type { Outcome } from '../../src/core/pipeline.js';
import { silentLogger, systemTimers, uuidv7Source } from '../../src/core/system.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import { openStore } from '../../src/store/index.js';
import type { ScanEvent, VerdictKind } from '../../src/shared/types.js';
import { OutputSet } from '../../drivers/outputs/output-set.js';
import type { Output, PulseKind } from '../../drivers/outputs/types.js';

/** Consistent card: accept (identity-only). */
const GOOD = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';
/** Same ID number, birth year that does not match digits 5-6: reject inconsistent-id. */
const BAD = '001090001234|123456789|Nguyễn Văn An|01021991|Nam|Hà Nội|15082021';
/** Same person, card re-issued (another issue date): another credential. */
const GOOD_REISSUED = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|20102024';
/** On the watch list (f1): refer. */
const WATCHED = '079300001234||Trần Thị Bình|29022000|Nữ|Quận 1|01012022';
const WATCHED_OTHER = '079300001234||Trần Thị Bình|29022000|Nữ|Quận 3|01012022';
/** Another inconsistent card of someone else: reject. */
const BAD_OTHER = '079300001234||Trần Thị Bình|29022001|Nữ|Quận 1|01012022';

const trust = parseTrustBundle({ version: 1, issuedAt: '2026-11-01T00:00:00Z', status: { entries: [{ id: '079300001234', status: 'f1' }] } });

let dir: string;
let now: number;
const clock = { now: () => now };
let pulses: PulseKind[];

function kiosk(): KioskService {
  pulses = [];
  const recorder: Output = {
    uri: 'test:recorder',
    open: async () => undefined,
    close: async () => undefined,
    pulse: async (kind) => {
      pulses.push(kind);
    },
    stats: () => ({ uri: 'test:recorder', pulses: pulses.length, errors: 0 }),
  };
  return new KioskService({
    store: openStore({ dir, logger: silentLogger, clock }),
    scanners: [],
    outputs: new OutputSet([recorder], silentLogger),
    trust,
    config: { deviceId: 'dev-1', checkpointId: 'HN-01', direction: 'in' },
    clock,
    timers: systemTimers,
    ids: uuidv7Source(clock),
    logger: silentLogger,
  });
}

const scan = (text: string): ScanEvent => ({ source: 'sim', deviceId: 'sim:test', text, receivedAt: now });

async function twice(k: KioskService, first: string, second: string): Promise<[Outcome, Outcome]> {
  const a = await k.submit(scan(first));
  now += 30_000;
  const b = await k.submit(scan(second));
  // Outputs are fired without waiting; let them run.
  await new Promise((r) => setImmediate(r));
  if (!a || !b) throw new Error('scan not recorded');
  return [a, b];
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-dup-'));
  now = Date.parse('2026-11-25T08:00:00Z');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const CASES: { first: VerdictKind; text: string; reasons: string[]; other: string; otherVerdict: VerdictKind }[] = [
  { first: 'accept', text: GOOD, reasons: ['identity-only'], other: GOOD_REISSUED, otherVerdict: 'accept' },
  { first: 'refer', text: WATCHED, reasons: ['identity-only', 'status:f1'], other: WATCHED_OTHER, otherVerdict: 'refer' },
  { first: 'reject', text: BAD, reasons: ['inconsistent-id'], other: BAD_OTHER, otherVerdict: 'reject' },
];

describe('duplicate folding: every first verdict × same / different credential', () => {
  for (const c of CASES) {
    it(`${c.first} then the same credential: a duplicate that shows and switches the committed ${c.first}`, async () => {
      const k = kiosk();
      const [a, b] = await twice(k, c.text, c.text);
      expect(a.kind).toBe('checkin');
      expect(a.verdict).toMatchObject({ verdict: c.first, reasons: c.reasons });
      expect(b).toMatchObject({ kind: 'duplicate', of: a.kind === 'checkin' ? a.checkIn.id : '' });
      expect(b.verdict).toMatchObject({ verdict: c.first, reasons: c.reasons });
      expect([...k.store.all()]).toHaveLength(1);
      expect(pulses).toEqual([c.first, c.first]);
      await k.stop();
    });

    it(`${c.first} then a different credential with the same verdict: a check-in of its own`, async () => {
      const k = kiosk();
      const [a, b] = await twice(k, c.text, c.other);
      expect(a.kind).toBe('checkin');
      expect(b.kind).toBe('checkin');
      expect(b.verdict.verdict).toBe(c.otherVerdict);
      expect([...k.store.all()]).toHaveLength(2);
      expect(pulses).toEqual([c.first, c.otherVerdict]);
      await k.stop();
    });
  }

  it('reject (birth date does not match the ID) then the correct card of the same ID number: a new accepted check-in, the relay follows it', async () => {
    const k = kiosk();
    const [a, b] = await twice(k, BAD, GOOD);
    expect(a.verdict).toMatchObject({ verdict: 'reject', reasons: ['inconsistent-id'] });
    expect(b.kind).toBe('checkin');
    expect(b.verdict).toMatchObject({ verdict: 'accept', reasons: ['identity-only'] });
    expect([...k.store.all()].map((r) => r.verdict)).toEqual(['reject', 'accept']);
    expect(pulses).toEqual(['reject', 'accept']);
    await k.stop();
  });

  it('accept then a different credential of the same person that is rejected: recorded, not folded, and the gate stays shut', async () => {
    const k = kiosk();
    const [, b] = await twice(k, GOOD, BAD);
    expect(b.kind).toBe('checkin');
    expect(b.verdict.verdict).toBe('reject');
    expect(pulses).toEqual(['accept', 'reject']);
    await k.stop();
  });

  it('the same credential whose verdict changed (a watch-list entry arrived) is a new check-in', async () => {
    const k = kiosk();
    const first = await k.submit(scan(GOOD));
    k.setTrust(parseTrustBundle({ version: 1, issuedAt: '2026-11-02T00:00:00Z', status: { entries: [{ id: '001090001234', status: 'f0' }] } }));
    now += 10_000;
    const second = await k.submit(scan(GOOD));
    expect(first?.kind).toBe('checkin');
    expect(second?.kind).toBe('checkin');
    expect(second?.verdict).toMatchObject({ verdict: 'refer', reasons: ['identity-only', 'status:f0'] });
    // ...and a third read now folds into the refer, not into the earlier accept.
    now += 10_000;
    const third = await k.submit(scan(GOOD));
    expect(third).toMatchObject({ kind: 'duplicate', of: second?.kind === 'checkin' ? second.checkIn.id : '' });
    expect(third?.verdict.verdict).toBe('refer');
    await k.stop();
  });

  it('a duplicate of an overridden check-in shows and switches the override', async () => {
    const k = kiosk();
    const first = await k.submit(scan(WATCHED));
    if (first?.kind !== 'checkin') throw new Error('expected a check-in');
    k.store.setOverride(first.checkIn.id, { by: 'officer-7', reason: 'F1 period over, paper shown', verdict: 'accept', at: new Date(now).toISOString() });
    now += 5_000;
    const again = await k.submit(scan(WATCHED));
    await new Promise((r) => setImmediate(r));
    expect(again).toMatchObject({ kind: 'duplicate', of: first.checkIn.id });
    expect(again?.verdict.verdict).toBe('accept');
    expect(pulses).toEqual(['refer', 'accept']);
    await k.stop();
  });

  it('keeps the credential out of the database file in clear', async () => {
    const k = kiosk();
    await k.submit(scan(GOOD));
    await k.stop();
    const bytes = readFileSync(join(dir, 'kiosk.db'));
    expect(bytes.includes(Buffer.from('15082021'))).toBe(false);
  });
});
