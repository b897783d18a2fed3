/**
 * `checkpoint-kiosk audit --data-dir DIR [--verify]`: the kiosk's hash-chained audit log.
 *
 * Without `--verify`: every entry, oldest first, one JSON line each
 * `{"seq","at","actor","action","detail"?,"hash"}` (purge receipts are the `purge` entries).
 * With `--verify`: recomputes the whole chain and prints one line, `{"ok":true,"entries":N,"head":HEX}`
 * (exit 0) or `{"ok":false,"entries":N,"brokenAt":SEQ,"reason":…}` (exit 1). Compare `head` with a
 * value kept elsewhere (the server has the one of the last heartbeat) to prove nothing was cut off
 * the end. Opens the database read-only: verifying never changes the evidence.
 */
import { EXIT } from '../exit-codes.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chainedEntries, verifyAuditChain } from '../../store/audit-chain.js';
import { parseCommand, requireOption, UsageError } from '../usage.js';

/** The schema version from which the audit log is hash-chained. */
const CHAINED_FROM = 5;

export function auditCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand('audit', argv, { 'data-dir': { type: 'string' }, verify: { type: 'boolean' } });
  const dataDir = requireOption('audit', values['data-dir'], 'data-dir');
  const file = join(dataDir, 'kiosk.db');
  if (!existsSync(file)) throw new UsageError(`audit: no kiosk database in ${dataDir} (expected ${file}); check --data-dir`);
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < CHAINED_FROM) {
      throw new Error(`${file} is at schema version ${version}, from before the hash-chained audit log: start the kiosk once on it to upgrade`);
    }
    if (values.verify) {
      const verdict = verifyAuditChain(db);
      process.stdout.write(`${JSON.stringify(verdict)}\n`);
      return Promise.resolve(verdict.ok ? EXIT.ok : EXIT.failure);
    }
    for (const e of chainedEntries(db)) process.stdout.write(`${JSON.stringify(e)}\n`);
    return Promise.resolve(EXIT.ok);
  } finally {
    db.close();
  }
}
