/**
 * Power-cut stand-in: a child process records check-ins on a real file and is SIGKILLed at a
 * random moment; the next open must recover (WAL replay) and hold every check-in whose id the child
 * printed (printed = record() returned), exactly once, with the outbox consistent.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { jsonLogger } from '../../src/core/system.js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FIXTURES, checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';

const repoRoot = path.resolve(FIXTURES, '../../..');
let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

/** Runs the writer until it has printed at least `minLines` ids plus a random extra, then SIGKILLs it. */
async function writeAndKill(prefix: string, minLines: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'crash-writer.ts'), dir, prefix], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const target = minLines + Math.floor(Math.random() * 200);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > target) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited early (${code}): ${err}`));
    });
  });
  await exited;
  // Only complete lines were acknowledged.
  const lines = out.split('\n').slice(0, -1);
  expect(lines.some((l) => l.startsWith('dup '))).toBe(true);
  return lines.filter((l) => !l.startsWith('dup '));
}

it('keeps every acknowledged check-in exactly once across repeated SIGKILLs', async () => {
  const acknowledged: string[] = [];
  for (let round = 0; round < 5; round++) {
    acknowledged.push(...(await writeAndKill(`r${round}`, 100)));
    const store = open(dir);
    const ids = [...store.all()].map((c) => c.id);
    // A duplicate is recorded once: no id the writer was told was a duplicate exists.
    expect(ids.filter((id) => Number(id.split('-')[1]) % 7 === 6)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const have = new Set(ids);
    expect(acknowledged.filter((id) => !have.has(id))).toEqual([]);
    store.close();
  }
  const db = new Database(path.join(dir, 'kiosk.db'), { readonly: true });
  expect(db.prepare('SELECT COUNT(*) FROM checkins c LEFT JOIN outbox o ON o.checkin_seq = c.seq WHERE o.checkin_seq IS NULL').pluck().get()).toBe(0);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
}, 120_000);

it('rolls back a hot rollback journal left by a killed writer, then opens with the committed data', () => {
  const file = path.join(dir, 'kiosk.db');
  const store = open(dir);
  for (let i = 0; i < 20; i++) store.record(checkIn(i));
  store.close();
  // Another program switched the file to a rollback journal and died mid-transaction.
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('journal_mode = DELETE');
    db.pragma('cache_size = 1');
    db.exec('BEGIN');
    db.exec("DELETE FROM outbox");
    db.exec("UPDATE checkins SET subject = '{}'");
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['-e', script, file], { cwd: repoRoot });
  expect(r.signal).toBe('SIGKILL');
  expect(fs.statSync(`${file}-journal`).size).toBeGreaterThan(0);

  const lines: string[] = [];
  const again = open(dir, { logger: jsonLogger({ level: 'warn', write: (l) => lines.push(l) }) });
  expect(lines.some((l) => l.includes('rolling back an interrupted transaction'))).toBe(true);
  const all = [...again.all()];
  expect(all).toHaveLength(20);
  expect(all.every((c) => c.delivery === 'pending' && c.subject.idNo === '001090000001')).toBe(true);
  again.close();
});
