/**
 * The kiosk's synchronous path (a scan for a synchronous verifier with nothing queued: committed,
 * fired and emitted before submit() returns) against the queued path (the same verifiers answering
 * through a promise): the same outcomes, the same faults and the same committed rows, including a
 * duplicate, an insert rolled back by SQLite inside the check-in's transaction, and a re-scan after
 * that rollback (which must not count as a duplicate of the row that was never committed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KioskService } from '../../src/app/kiosk.js';
import type { Outcome } from '../../src/core/pipeline.js';
import { silentLogger, systemTimers, uuidv7Source } from '../../src/core/system.js';
import { DB_FILE_NAME, openStore } from '../../src/store/index.js';
import type { ScanEvent } from '../../src/shared/types.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { failed, type CredentialFormat } from '../../src/credentials/types.js';
import type { CheckInStore } from '../../src/store/types.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';
const BINH = '079300001234||Trần Thị Bình|29022000|Nam|Quận 1|01012022'; // inconsistent-id: a reject
const CHI = '001195005678||Lê Thị Chi|15031995|Nữ|Huế|01012022';

/** The same verifiers, answering through a promise: every scan they take goes through the queue. */
const ASYNC_FORMATS: readonly CredentialFormat[] = DEFAULT_FORMATS.map((f) => ({ ...f, verify: async (text, ctx) => f.verify(text, ctx) }));

/** Rejects are refused by the database itself while this trigger exists: the insert rolls back. */
const REFUSE_REJECTS = `CREATE TRIGGER test_refuse_rejects BEFORE INSERT ON checkins WHEN NEW.verdict = 'reject'
  BEGIN SELECT RAISE(ABORT, 'rejects refused by the test trigger'); END`;

let dirs: string[] = [];
beforeEach(() => {
  dirs = [];
});
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  /** Per scan: what submit() resolved to, in a form comparable across kiosks (ids as scan indexes). */
  answers: unknown[];
  /** Per scan: how many outcome/fault events had been emitted when submit() returned (not awaited). */
  emittedOnReturn: number[];
  faults: string[];
  rows: unknown[];
  inFlightAfter: number;
}

async function runScans(formats: readonly CredentialFormat[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-sync-path-'));
  dirs.push(dir);
  let now = Date.parse('2026-11-25T08:00:00Z');
  const clock = { now: () => now };
  const store = openStore({ dir, logger: silentLogger, clock });
  const kiosk = new KioskService({
    store,
    formats,
    scanners: [],
    config: { deviceId: 'dev-1', checkpointId: 'HN-01', direction: 'in' },
    clock,
    timers: systemTimers,
    ids: uuidv7Source(clock),
    logger: silentLogger,
  });
  // A second connection on the same file, as another writer would be.
  const other = new Database(join(dir, DB_FILE_NAME));
  let emitted = 0;
  const faults: string[] = [];
  kiosk.on('outcome', () => emitted++);
  kiosk.on('fault', (f) => {
    emitted++;
    faults.push(f.message.replaceAll(dir, 'DATA_DIR')); // the data folders differ
  });
  const ids: string[] = [];
  const answers: unknown[] = [];
  const emittedOnReturn: number[] = [];
  const steps: (string | (() => void))[] = [
    AN,
    AN, // a duplicate of the first
    () => other.exec(REFUSE_REJECTS),
    BINH, // rolled back: a fault, nothing recorded
    () => other.exec('DROP TRIGGER test_refuse_rejects'),
    BINH, // recorded: the rolled-back row never existed
    BINH, // a duplicate of the one just recorded
    'garbage', // refused before any verifier: synchronous on both kiosks
    CHI,
  ];
  for (const step of steps) {
    if (typeof step === 'function') {
      step();
      continue;
    }
    now += 60_000;
    const before = emitted;
    const pending = kiosk.submit({ source: 'sim', deviceId: 'sim:test', text: step, receivedAt: now } satisfies ScanEvent);
    emittedOnReturn.push(emitted - before);
    const outcome: Outcome | undefined = await pending;
    const index = ids.length;
    ids.push(outcome?.kind === 'checkin' ? outcome.checkIn.id : `none-${index}`);
    answers.push(
      outcome === undefined
        ? undefined
        : outcome.kind === 'checkin'
          ? { kind: 'checkin', verdict: outcome.verdict, format: outcome.checkIn.format, subject: outcome.checkIn.subject }
          : { kind: 'duplicate', of: ids.indexOf(outcome.of), verdict: outcome.verdict },
    );
  }
  const rows = [...kiosk.store.all()].map(({ id, ...rest }) => ({ scan: ids.indexOf(id), ...rest }));
  const inFlightAfter = kiosk.scansInFlight();
  other.close();
  await kiosk.stop();
  return { answers, emittedOnReturn, faults, rows, inFlightAfter };
}

describe('kiosk: synchronous and queued paths', () => {
  it('give the same outcomes, faults and committed rows, with a duplicate and a rolled-back insert', async () => {
    const sync = await runScans(DEFAULT_FORMATS);
    const queued = await runScans(ASYNC_FORMATS);

    expect(sync.answers).toEqual(queued.answers);
    expect(sync.faults).toEqual(queued.faults);
    expect(sync.rows).toEqual(queued.rows);
    expect(sync.inFlightAfter).toBe(0);
    expect(queued.inFlightAfter).toBe(0);

    // What the sequence itself must give (so that two equally wrong paths cannot pass).
    expect(sync.answers.map((a) => (a as { kind?: string } | undefined)?.kind ?? 'fault')).toEqual([
      'checkin', 'duplicate', 'fault', 'checkin', 'duplicate', 'checkin', 'checkin',
    ]);
    expect(sync.answers[1]).toMatchObject({ of: 0 });
    expect(sync.answers[4]).toMatchObject({ of: 3 });
    expect(sync.faults).toHaveLength(1);
    expect(sync.faults[0]).toMatch(/rejects refused by the test trigger|constraint/i);
    expect(sync.rows.map((r) => [(r as { scan: number }).scan, (r as { verdict: string }).verdict])).toEqual([
      [0, 'accept'],
      [3, 'reject'],
      [5, 'reject'],
      [6, 'accept'],
    ]);

    // The synchronous path has committed, fired and emitted by the time submit() returns; the
    // queued path only for the scans refused before a verifier ('garbage').
    expect(sync.emittedOnReturn).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(queued.emittedOnReturn).toEqual([0, 0, 0, 0, 0, 1, 0]);
  });

  it('Pipeline.processEager answers an Outcome itself only with nothing queued, throws a storage fault, and queues behind an asynchronous scan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-sync-path-'));
    dirs.push(dir);
    const now = Date.parse('2026-11-25T08:00:00Z');
    const clock = { now: () => now };
    const store = openStore({ dir, logger: silentLogger, clock });
    let fail = false;
    const failing: CheckInStore = Object.create(store) as CheckInStore;
    failing.record = (c, d) => {
      if (fail) throw new Error('disk is full');
      return store.record(c, d);
    };
    let release = () => {};
    const slow: CredentialFormat = {
      id: 'dcc',
      detect: (text) => text.startsWith('SLOW'),
      verify: () => new Promise((resolve) => (release = () => resolve(failed('dcc', 'expired', 'slow verifier')))),
    };
    const kiosk = new KioskService({
      store: failing,
      formats: [slow, ...DEFAULT_FORMATS],
      scanners: [],
      config: { deviceId: 'dev-1', checkpointId: 'HN-01', direction: 'in' },
      clock,
      timers: systemTimers,
      ids: uuidv7Source(clock),
      logger: silentLogger,
    });
    const scan = (text: string): ScanEvent => ({ source: 'sim', deviceId: 'sim:test', text, receivedAt: now });

    const direct = kiosk.pipeline.processEager(scan(AN));
    expect(direct).not.toBeInstanceOf(Promise);
    expect(direct).toMatchObject({ kind: 'checkin', verdict: { verdict: 'accept' } });

    fail = true;
    expect(() => kiosk.pipeline.processEager(scan(CHI))).toThrow('disk is full');
    await expect(kiosk.pipeline.process(scan(CHI))).rejects.toThrow('disk is full');
    fail = false;

    // Behind a scan still waiting for its verifier, a synchronous one waits its turn.
    const first = kiosk.pipeline.processEager(scan('SLOW'));
    const second = kiosk.pipeline.processEager(scan(CHI));
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.kind, b.kind]).toEqual(['checkin', 'checkin']);
    expect([...store.all()].map((c) => c.format)).toEqual(['cccd', 'dcc', 'cccd']);
    // Nothing queued any more: straight through again.
    expect(kiosk.pipeline.processEager(scan(BINH))).not.toBeInstanceOf(Promise);
    await kiosk.stop();
  });
});
