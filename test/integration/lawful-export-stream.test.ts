/**
 * The lawful export written in one pass (server/lawful-export.ts `writeLawfulExport`), on a real
 * SQLite data dir and a real PostgreSQL cluster: only the asked range is read (both ends
 * included, across more than one PostgreSQL page and several day partitions), the file verifies
 * with the root public key, its digest is the one audited, and a failure part-way or an `out` that
 * appeared meanwhile leaves no partial file and replaces nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compactVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ingestCheckIns } from '../../server/checkins.js';
import { writeLawfulExport } from '../../server/lawful-export.js';
import { loadOrCreateEcKey } from '../../server/secrets.js';
import { openStorage } from '../../server/storage/open.js';
import type { CentralStorage } from '../../server/storage/types.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { pgBackend } from '../helpers/postgres.js';

const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const MINUTE = 60_000;
/** Check-ins per day stored; the range holds more than one PostgreSQL export page (2,000). */
const PER_DAY = 1_200;

describe.each(['sqlite', 'postgres'] as const)('lawful export in one pass on %s', (backend) => {
  const pg = pgBackend(backend);
  let dir: string;
  let storage: CentralStorage;
  let all: CheckIn[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-stream-'));
    storage = await openStorage({ dataDir: dir, database: await pg.database(), logger: silentLogger });
    all = [];
    for (let day = 0; day < 3; day++) {
      const batch = Array.from({ length: PER_DAY }, (_, i) => {
        const at = T0 + day * 86_400_000 + i * MINUTE;
        return {
          id: uuidv7Source({ now: () => at }).next(),
          deviceId: 'kiosk-a',
          checkpointId: i % 2 ? 'cp-b' : 'cp-a',
          direction: 'in',
          scannedAt: new Date(at).toISOString(),
          format: 'cccd',
          verdict: 'accept',
          reasons: ['identity-only'],
          subject: { idType: 'cccd', idNo: `0010900${String(day * PER_DAY + i).padStart(5, '0')}`, name: 'Nguyễn Văn An' },
        } as CheckIn;
      });
      for (let i = 0; i < batch.length; i += 1000) await ingestCheckIns(storage, 'kiosk-a', batch.slice(i, i + 1000), new Date(T0 + 3 * 86_400_000).toISOString());
      all.push(...batch);
    }
  }, 120_000);

  afterEach(async () => {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes exactly the range asked (from included, to not), verifiable, with the digest the audit log records', async () => {
    const root = await loadOrCreateEcKey(storage, 'root-key');
    // From the 100th scan of day 0 to the 1,000th of day 1, both on a scan exactly: the range is
    // half-open, so the first is in it and the last is not (the next day's export starts there).
    const fromMs = T0 + 100 * MINUTE;
    const toMs = T0 + 86_400_000 + 1_000 * MINUTE;
    const out = path.join(dir, 'case.jws');
    const result = await writeLawfulExport(storage, { fromMs, toMs, requestedBy: 'Inspector', reason: 'Case 12/2026' }, root, T0 + 4 * 86_400_000, out);
    const expected = all.filter((c) => Date.parse(c.scannedAt) >= fromMs && Date.parse(c.scannedAt) < toMs);
    expect(expected.length).toBe(PER_DAY - 100 + 1_000);
    expect(result.count).toBe(expected.length);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const jws = text.trimEnd();
    expect(result.sha256).toBe(createHash('sha256').update(jws).digest('hex'));
    const { payload, protectedHeader } = await compactVerify(jws, root.publicKey);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'checkpoint-kiosk-export+jws', iat: Math.floor((T0 + 4 * 86_400_000) / 1000) });
    const body = JSON.parse(Buffer.from(payload).toString('utf8')) as { v: number; request: Record<string, unknown>; count: number; checkins: CheckIn[] };
    expect(body.v).toBe(1);
    expect(body.request).toEqual({ requestedBy: 'Inspector', reason: 'Case 12/2026', from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
    expect(body.count).toBe(expected.length);
    expect(body.checkins.map((c) => c.id)).toEqual(expected.map((c) => c.id));
    expect(body.checkins[0]).toEqual(expected[0]); // identity fields opened, as exported
    const audit: { action: string; detail: string | null }[] = [];
    for await (const e of storage.auditRows()) audit.push(e);
    expect(audit.at(-1)?.action).toBe('lawful-export');
    expect(JSON.parse(audit.at(-1)!.detail ?? '{}')).toMatchObject({ count: expected.length, sha256: result.sha256 });

    // One checkpoint of the same range.
    const cpA = await writeLawfulExport(storage, { fromMs, toMs, checkpoint: 'cp-a', requestedBy: 'Inspector', reason: 'Case 12/2026' }, root, T0, path.join(dir, 'cp-a.jws'));
    expect(cpA.count).toBe(expected.filter((c) => c.checkpointId === 'cp-a').length);
  });

  it('leaves nothing behind when the database fails part-way, and never replaces a file that appeared meanwhile', async () => {
    const root = await loadOrCreateEcKey(storage, 'root-key');
    const req = { fromMs: T0, toMs: T0 + 3 * 86_400_000, requestedBy: 'Inspector', reason: 'Case 12/2026' };
    const failing: CentralStorage = Object.create(storage) as CentralStorage;
    failing.exportCheckIns = async function* (range) {
      let n = 0;
      for await (const c of storage.exportCheckIns(range)) {
        if (++n > 1_500) throw new Error('connection lost');
        yield c;
      }
    };
    const out = path.join(dir, 'case.jws');
    await expect(writeLawfulExport(failing, req, root, T0, out)).rejects.toThrow('connection lost');
    expect(fs.readdirSync(dir).filter((f) => f.includes('case'))).toEqual([]);

    fs.writeFileSync(out, 'an earlier export\n');
    await expect(writeLawfulExport(storage, req, root, T0, out)).rejects.toThrow(/EEXIST/);
    expect(fs.readFileSync(out, 'utf8')).toBe('an earlier export\n');
    expect(fs.readdirSync(dir).filter((f) => f.includes('case'))).toEqual(['case.jws']);
  });
});
