/**
 * Retention you can prove, on real files and the real command: the maintenance purge removes
 * forwarded check-ins past retention and leaves a receipt per chunk in the hash-chained audit log;
 * `checkpoint-kiosk audit --verify` checks the chain and catches an edited entry; removed records
 * leave no trace in kiosk.db, its WAL or SHM; `export` reveals identity fields only with the
 * technician PIN, and logs that it did.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMaintenance } from '../../src/app/maintenance.js';
import { silentLogger } from '../../src/core/system.js';
import { verifyAuditChain } from '../../src/store/audit-chain.js';
import type { PurgeReceipt } from '../../src/store/sqlite-store.js';
import { FakeTime } from '../fakes/fake-time.js';
import { runCli } from '../helpers/cli.js';
import { findBytesInFiles } from '../helpers/pii-scan.js';
import { setTechPin } from '../helpers/tech-pin.js';
import { T0, checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';
import { plantedSubject } from '../fixtures/store/pre-seal.js';

const DAY = 86_400_000;
let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'kiosk.db');
});
afterEach(() => removeDir(dir));

/** 3 days × 100 check-ins (forwarded except every 10th), planted subjects; returns ids by day. */
function populate(): { ids: string[][]; pendingIds: string[] } {
  const store = open(dir);
  const ids: string[][] = [[], [], []];
  const pendingIds: string[] = [];
  const forwarded: string[] = [];
  for (let d = 0; d < 3; d++) {
    for (let i = 0; i < 100; i++) {
      const c = checkIn(d * DAY + i * 60_000, { subject: plantedSubject(d * 100 + i) });
      store.record(c);
      ids[d]!.push(c.id);
      (i % 10 === 0 ? pendingIds : forwarded).push(c.id);
    }
  }
  store.markForwarded(forwarded, new Date(T0 + 3 * DAY).toISOString());
  store.close();
  return { ids, pendingIds };
}

describe('purge with receipts', () => {
  it('removes what the rule says, writes a verifiable receipt, and leaves nothing readable behind', () => {
    const { ids, pendingIds } = populate();
    // The sealed bytes of the rows about to go: after the purge not even these may remain.
    const raw = new Database(file, { readonly: true });
    const doomed = ids[0]!.concat(ids[1]!).filter((id) => !pendingIds.includes(id));
    const blobs = doomed.map((id) => (raw.prepare('SELECT subject FROM checkins WHERE id = ?').pluck().get(id) as Buffer).subarray(13, 45));
    raw.close();

    // They are there before the purge (the check below can fail).
    expect(findBytesInFiles([file, `${file}-wal`], blobs)).toHaveLength(blobs.length);
    const store = open(dir);
    // 21 days after day 2 began, less 1 ms: days 0 and 1 are past retention, day 2 is not.
    const clock = new FakeTime(T0 + 2 * DAY + 21 * DAY - 1);
    const m = startMaintenance({ store, clock, timers: clock, logger: silentLogger, retentionDays: 21 });
    m.stop();
    const left = [...store.all()];
    expect(left.map((c) => c.id).sort()).toEqual([...ids[2]!, ...pendingIds.filter((id) => !ids[2]!.includes(id))].sort());
    expect(store.queueStats().oldestHeldAt).toBe(new Date(T0).toISOString());
    const receipt = store.auditLog(10).find((e) => e.action === 'purge');
    expect(receipt).toMatchObject({ actor: 'system', at: new Date(clock.now()).toISOString() });
    const detail = receipt!.detail as unknown as PurgeReceipt;
    expect(detail).toMatchObject({ retentionDays: 21, removed: 180, days: { '2026-11-25': 90, '2026-11-26': 90 } });
    expect(detail.rule).toMatch(/kiosk-retention/);
    expect(Date.parse(detail.before)).toBe(clock.now() - 21 * DAY);
    store.close();

    const files = [file, `${file}-wal`, `${file}-shm`];
    expect(findBytesInFiles(files, blobs)).toEqual([]);
    const verify = runCli(['audit', '--data-dir', dir, '--verify']);
    expect(verify.code).toBe(0);
    expect(verify.lines[0]).toMatchObject({ ok: true });
    const listed = runCli(['audit', '--data-dir', dir]);
    expect(listed.lines.filter((l) => l.action === 'purge')).toHaveLength(1);
    expect(listed.lines.at(-1)?.hash).toBe((verify.lines[0] as { head: string }).head);
    // Members in the order the README gives them.
    const purge = listed.lines.find((l) => l.action === 'purge')!;
    expect(Object.keys(purge)).toEqual(['seq', 'at', 'actor', 'action', 'detail', 'hash']);
  });

  it('a receipt per chunk of 1,000, each committed with its deletion', () => {
    const store = open(dir);
    const ids: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const c = checkIn(i);
      store.record(c);
      ids.push(c.id);
    }
    store.markForwarded(ids, new Date(T0).toISOString());
    expect(store.purgeForwarded(new Date(T0 + DAY).toISOString(), { rule: 'test', retentionDays: 0 })).toBe(1500);
    const receipts = store.auditLog(10).filter((e) => e.action === 'purge').map((e) => (e.detail as unknown as PurgeReceipt).removed);
    expect(receipts.sort()).toEqual([1000, 500]);
    store.close();
  }, 60_000);
});

describe('the audit chain', () => {
  it('refuses edits through SQL, and `audit --verify` finds an entry edited behind the triggers', () => {
    const store = open(dir);
    store.audit({ at: new Date(T0).toISOString(), actor: 'technician', action: 'pin-set' });
    store.audit({ at: new Date(T0 + 1).toISOString(), actor: 'officer', action: 'shift-start' });
    store.audit({ at: new Date(T0 + 2).toISOString(), actor: 'technician', action: 'configure', detail: { changed: ['direction'] } });
    store.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, entries: 4 });

    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3").run();
    db.close();
    const broken = runCli(['audit', '--data-dir', dir, '--verify']);
    expect(broken.code).toBe(1);
    expect(broken.lines[0]).toMatchObject({ ok: false, brokenAt: 3 });

    const db2 = new Database(file);
    db2.exec('DROP TRIGGER audit_log_no_delete');
    db2.prepare("UPDATE audit_log SET actor = 'officer' WHERE seq = 3").run();
    expect(verifyAuditChain(db2)).toMatchObject({ ok: true });
    db2.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    expect(verifyAuditChain(db2)).toMatchObject({ ok: false, brokenAt: 3, reason: 'entries 2..2 are missing' });
    db2.close();
  });
});

describe('export', () => {
  it('prints identity fields only with --reveal and the technician PIN, and audits the reveal', async () => {
    const store = open(dir);
    const subjects = [plantedSubject(7), plantedSubject(8)];
    for (const [i, s] of subjects.entries()) store.record(checkIn(i, { subject: s }));
    store.close();
    const needles = subjects.flatMap((s) => [s.idNo!, s.name!, s.dob!]);

    const masked = runCli(['export', '--data-dir', dir]);
    expect(masked.code).toBe(0);
    expect(masked.lines).toHaveLength(2);
    expect(masked.lines[0]?.subject).toEqual({ idType: 'cccd', maskedName: expect.stringMatching(/\*/) as unknown });
    for (const n of needles) expect(masked.stdout).not.toContain(n);

    expect(runCli(['export', '--data-dir', dir, '--reveal'], '1234\n')).toMatchObject({ code: 1, stderr: expect.stringMatching(/no technician PIN is set/) as unknown });
    expect(runCli(['export', '--data-dir', dir, '--pin-file', 'x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--pin-file is only used with --reveal/) as unknown });
    await setTechPin(dir, '975310');

    const wrong = runCli(['export', '--data-dir', dir, '--reveal'], '111111\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/wrong technician PIN/);
    expect(wrong.stdout).toBe('');

    const pinFile = path.join(dir, 'pin.txt');
    // A PIN file others can read is refused as CHECKPOINT_KIOSK_PIN_FILE refuses one, with the same hint.
    fs.writeFileSync(pinFile, '975310\n');
    fs.chmodSync(pinFile, 0o644);
    const groupReadable = runCli(['export', '--data-dir', dir, '--reveal', '--pin-file', pinFile]);
    expect({ code: groupReadable.code, stdout: groupReadable.stdout }).toEqual({ code: 2, stdout: '' });
    expect(groupReadable.stderr).toMatch(/export: --pin-file .*pin\.txt: readable by group or others \(mode 644\); run chmod 600 on it/);
    fs.chmodSync(pinFile, 0o600);
    const revealed = runCli(['export', '--data-dir', dir, '--reveal', '--pin-file', pinFile]);
    expect(revealed.code).toBe(0);
    expect(revealed.lines.map((l) => l.subject)).toEqual(subjects);

    const audit = runCli(['audit', '--data-dir', dir]);
    const actions = audit.lines.map((l) => l.action);
    expect(actions).toContain('export-reveal-refused');
    expect(audit.lines.find((l) => l.action === 'export-reveal')).toMatchObject({ actor: 'technician', detail: { via: 'cli' } });
    for (const n of needles) expect(audit.stdout).not.toContain(n);
    expect(runCli(['audit', '--data-dir', dir, '--verify']).code).toBe(0);
  });
});
