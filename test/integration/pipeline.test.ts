/**
 * The pipeline on a real SQLite file: every outcome is committed before it is returned, the
 * duplicate window holds, order is kept, and a storage fault surfaces as a fault event — never as
 * a verdict shown for a check-in that was not recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KioskService } from '../../src/app/kiosk.js';
import { silentLogger, systemTimers, uuidv7Source } from '../../src/core/system.js';
import { openStore } from '../../src/store/index.js';
import type { CheckInStore } from '../../src/store/types.js';
import type { ScanEvent } from '../../src/shared/types.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { failed, type CredentialFormat } from '../../src/credentials/types.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';
const BINH = '079300001234||Trần Thị Bình|29022000|Nam|Quận 1|01012022';

let dir: string;
let now: number;
const clock = { now: () => now };

function kioskOn(store: CheckInStore, direction: 'in' | 'out' = 'in', formats: readonly CredentialFormat[] = DEFAULT_FORMATS) {
  return new KioskService({
    store,
    formats,
    scanners: [],
    config: { deviceId: 'dev-1', checkpointId: 'HN-01', direction },
    clock,
    timers: systemTimers,
    ids: uuidv7Source(clock),
    logger: silentLogger,
  });
}
const scan = (text: string): ScanEvent => ({ source: 'sim', deviceId: 'sim:test', text, receivedAt: now });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-pipe-'));
  now = Date.parse('2026-11-25T08:00:00Z');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('pipeline on a real store', () => {
  it('commits each check-in before returning it, and a reopened store has it', async () => {
    const store = openStore({ dir, logger: silentLogger, clock });
    const kiosk = kioskOn(store);
    const outcome = await kiosk.submit(scan(AN));
    expect(outcome?.kind).toBe('checkin');
    if (outcome?.kind !== 'checkin') return;
    expect(outcome.verdict).toMatchObject({ verdict: 'accept', reasons: ['identity-only'] });
    expect(outcome.verdict.display.maskedName).toBe('N****n V*n A*');
    // A second connection sees the committed row while the first is still open.
    const reader = openStore({ dir, logger: silentLogger, clock });
    expect(reader.get(outcome.checkIn.id)).toMatchObject({ verdict: 'accept', checkpointId: 'HN-01', delivery: 'pending' });
    reader.close();
    await kiosk.stop();
  });

  it('records the same credential once within the duplicate window, again after it', async () => {
    const kiosk = kioskOn(openStore({ dir, logger: silentLogger, clock }));
    const first = await kiosk.submit(scan(AN));
    now += 4 * 60_000;
    const second = await kiosk.submit(scan(`  ${AN}\r\n`));
    expect(second).toMatchObject({ kind: 'duplicate', of: first?.kind === 'checkin' ? first.checkIn.id : 'x' });
    expect(second?.verdict).toMatchObject({ verdict: 'accept', reasons: ['identity-only'] });
    now += 2 * 60_000; // 6 minutes after the first
    expect((await kiosk.submit(scan(AN)))?.kind).toBe('checkin');
    expect([...kiosk.store.all()]).toHaveLength(2);
    await kiosk.stop();
  });

  it('does not treat another direction or another credential type as a duplicate', async () => {
    const store = openStore({ dir, logger: silentLogger, clock });
    const kiosk = kioskOn(store);
    await kiosk.submit(scan(AN));
    kiosk.setConfig({ direction: 'out' });
    expect((await kiosk.submit(scan(AN)))?.kind).toBe('checkin');
    expect((await kiosk.submit(scan('001090001234|NGUYEN VAN AN|1990-02-01|0|QID123456789|')))?.kind).toBe('checkin');
    await kiosk.stop();
  });

  it('keeps arrival order and records rejects with their reasons', async () => {
    const kiosk = kioskOn(openStore({ dir, logger: silentLogger, clock }));
    const results = await Promise.all([scan(AN), scan('garbage'), scan(BINH), { ...scan(''), fault: 'too-large' as const }].map((s) => kiosk.submit(s)));
    const all = [...kiosk.store.all()];
    expect(all.map((c) => c.id)).toEqual(results.map((r) => (r?.kind === 'checkin' ? r.checkIn.id : '')));
    expect(all.map((c) => [c.verdict, c.reasons])).toEqual([
      ['accept', ['identity-only']],
      ['reject', ['unknown-format']],
      ['reject', ['inconsistent-id']],
      ['reject', ['too-large']],
    ]);
    // Only the scan the kiosk refused itself carries a message (fixed words); a verifier's
    // explanations (the inconsistent ID card's) are not kept: they may quote the card's fields.
    expect(all.map((c) => c.message)).toEqual([undefined, undefined, undefined, 'the scanner sent more than the line limit']);
    expect(results.map((r) => (r?.kind === 'checkin' ? r.message : 'none'))).toEqual([undefined, undefined, undefined, 'the scanner sent more than the line limit']);
    await kiosk.stop();
  });

  it('keeps arrival order when scans for an asynchronous verifier are queued among synchronous ones', async () => {
    // A stand-in for a verifier that answers later (a signed format): SLOW waits, SLOWTHROW rejects.
    const slow: CredentialFormat = {
      id: 'dcc',
      detect: (text) => text.startsWith('SLOW'),
      verify: async (text) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (text === 'SLOWTHROW') throw new Error('verifier bug');
        return failed('dcc', 'expired', 'slow verifier');
      },
    };
    const kiosk = kioskOn(openStore({ dir, logger: silentLogger, clock }), 'in', [slow, ...DEFAULT_FORMATS]);
    const texts = ['SLOW', AN, 'garbage', 'SLOWTHROW', BINH, 'SLOW2'];
    const results = await Promise.all(texts.map((t) => kiosk.submit(scan(t))));
    const all = [...kiosk.store.all()];
    expect(all.map((c) => c.id)).toEqual(results.map((r) => (r?.kind === 'checkin' ? r.checkIn.id : '')));
    expect(all.map((c) => [c.format, c.verdict, c.reasons])).toEqual([
      ['dcc', 'reject', ['expired']],
      ['cccd', 'accept', ['identity-only']],
      ['unknown', 'reject', ['unknown-format']],
      ['dcc', 'reject', ['unreadable']],
      ['cccd', 'reject', ['inconsistent-id']],
      ['dcc', 'reject', ['expired']],
    ]);
    // With nothing queued any more, a synchronous scan goes straight through again.
    expect((await kiosk.submit(scan('001090009999|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021')))?.kind).toBe('checkin');
    expect([...kiosk.store.all()]).toHaveLength(7);
    await kiosk.stop();
  });

  it('reports a storage fault instead of an outcome, and keeps processing afterwards', async () => {
    const store = openStore({ dir, logger: silentLogger, clock });
    const failing: CheckInStore = Object.create(store) as CheckInStore;
    let fail = true;
    failing.record = (c, d) => {
      if (fail) throw new Error('disk is full');
      return store.record(c, d);
    };
    const kiosk = kioskOn(failing);
    const faults: string[] = [];
    const outcomes: string[] = [];
    kiosk.on('fault', (f) => faults.push(f.message));
    kiosk.on('outcome', (o) => outcomes.push(o.kind));
    expect(await kiosk.submit(scan(AN))).toBeUndefined();
    expect(faults).toEqual(['disk is full']);
    expect(outcomes).toEqual([]);
    fail = false;
    expect((await kiosk.submit(scan(AN)))?.kind).toBe('checkin');
    expect(outcomes).toEqual(['checkin']);
    await kiosk.stop();
  });
});
