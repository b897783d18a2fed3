/**
 * The per-quarter-hour check-in counters (server/storage/checkin-counts.ts) on both backends: they
 * follow every insert (a retried batch counts once), every purge, and raw rows written past the
 * storage; hourly counts from a whole quarter (read from the counters) equal the check-ins counted
 * one by one; a SQLite database from before the counters is filled from its check-ins on upgrade.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckIn } from '../../src/shared/types.js';
import { purgeExpired } from '../../server/retention.js';
import { openCentralDb } from '../../server/db.js';
import { openStorage } from '../../server/storage/open.js';
import { openSqliteStorage } from '../../server/storage/sqlite-storage.js';
import type { CentralStorage } from '../../server/storage/types.js';
import { pgBackend } from '../helpers/postgres.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A whole quarter hour (Kathmandu midnight is 18:15 UTC). */
const FROM = Date.parse('2026-11-24T18:15:00.000Z');

function checkIn(scannedMs: number): CheckIn {
  return {
    id: randomUUID(),
    deviceId: 'dev-1',
    checkpointId: 'cp',
    direction: 'in',
    scannedAt: new Date(scannedMs).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: [],
    subject: { idType: 'cccd', idNo: '001090000001' },
  };
}

/** Hour counts computed here from the scan times. */
function expectedHours(times: readonly number[], from: number, hours: number): number[] {
  const out = new Array<number>(hours).fill(0);
  for (const t of times) {
    const h = Math.floor((t - from) / HOUR);
    if (t >= from && h < hours) out[h]! += 1;
  }
  return out;
}

describe.each(['sqlite', 'postgres'] as const)('check-in counters on %s', (backend) => {
  const pg = pgBackend(backend);
  let dir: string;
  let storage: CentralStorage;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-counts-'));
    const database = await pg.database();
    storage = database ? await openStorage({ database }) : openSqliteStorage(dir);
  });
  afterEach(async () => {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('follow inserts, retries and purges, and answer hours as the check-ins do', async () => {
    // Times on quarter edges, one ms before them, and across 3 days.
    const times = [FROM, FROM + 15 * 60_000 - 1, FROM + 15 * 60_000, FROM + HOUR - 1, FROM + HOUR, FROM + 5 * HOUR + 44 * 60_000, FROM + DAY + 7, FROM + 2 * DAY + 3 * HOUR + 1];
    const batch = times.map(checkIn);
    await storage.ingestCheckIns('dev-1', batch, new Date(FROM).toISOString());
    // A retried batch (same records) stores nothing and counts nothing.
    expect((await storage.ingestCheckIns('dev-1', batch, new Date(FROM).toISOString())).duplicate).toHaveLength(times.length);
    expect(await storage.checkInTotal()).toBe(times.length);
    expect(await storage.checkInsByHour(FROM, 72)).toEqual(expectedHours(times, FROM, 72));
    // Not a whole quarter: the check-ins are counted (same answer).
    expect(await storage.checkInsByHour(FROM + 1, 72)).toEqual(expectedHours(times, FROM + 1, 72));

    // Retention of everything before FROM + 1 day + 1 h.
    const removed = await purgeExpired(storage, FROM + DAY + HOUR + 21 * DAY, 21);
    expect(removed).toBe(7);
    expect(await storage.checkInTotal()).toBe(1);
    expect(await storage.checkInTotal()).toBe(await storage.countCheckIns());
    expect(await storage.checkInsByHour(FROM, 72)).toEqual(expectedHours(times.slice(7), FROM, 72));
  });
});

it('SQLite: a database from before the counters is counted on upgrade', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-counts-up-'));
  try {
    const s = openSqliteStorage(dir);
    const times = [FROM, FROM + 10, FROM + HOUR, FROM + DAY];
    await s.ingestCheckIns('dev-1', times.map(checkIn), new Date(FROM).toISOString());
    await s.close();
    // Back to schema v5: no counters table, no triggers.
    const db = openCentralDb(dir);
    db.exec('DROP TRIGGER checkin_counts_on_insert; DROP TRIGGER checkin_counts_on_delete; DROP TABLE checkin_counts;');
    db.pragma('user_version = 5');
    db.close();
    const up = openSqliteStorage(dir);
    try {
      expect(await up.checkInTotal()).toBe(4);
      expect(await up.checkInsByHour(FROM, 25)).toEqual(expectedHours(times, FROM, 25));
    } finally {
      await up.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
