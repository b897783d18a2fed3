/**
 * `central release` on a SQLite central database: a file named like the feed's own (latest-linux.yml)
 * is refused, `release list` lists what was published (highest first, the served one marked), and
 * a database migrated by a newer version is a configuration error (exit 2) naming both schema
 * versions, not a runtime failure that systemd restarts every 2 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { migratePostgres } from '../../server/storage/postgres-schema.js';
import { DatabaseSettingError } from '../../server/storage/errors.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { APPIMAGE_HEADER, appImageBytes } from '../helpers/appimage.js';

let dir: string;
let data: string;

async function central(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-release-cli-'));
  data = path.join(dir, 'central');
  const server = await startCentral({ dataDir: data, port: 0, logger: silentLogger, clock: systemClock });
  await server.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('central release', () => {
  it('refuses a file named like the feed\'s own (latest-linux.yml, a .blockmap), exit 2, nothing recorded', async () => {
    for (const name of ['latest-linux.yml', 'latest.yaml', 'checkpoint-kiosk-2.0.0.AppImage.blockmap']) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `version: 2.0.0 ${name}\n`);
      const r = await central(['release', 'add', '--data-dir', data, '--file', file, '--version', '2.0.0']);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toContain(`central release add: --file ${file}: "${name}" is named like one of the update feed's own files`);
    }
    const list = await central(['release', 'list', '--data-dir', data]);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('');
    expect(list.stderr).toContain('central release list: no releases yet');
  });

  it('refuses a file that is not an AppImage (empty, text, an ELF without the AppImage magic), exit 2 naming it, nothing recorded', async () => {
    const elf = Buffer.from(APPIMAGE_HEADER);
    elf[8] = 0; // a plain ELF executable: no 'A' 'I' at offset 8
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['empty-2.0.0.AppImage', Buffer.alloc(0), /is empty \(0 bytes\), not an AppImage/],
      ['yml-2.0.0.AppImage', 'version: 2.0.0\npath: checkpoint-kiosk-2.0.0.AppImage\n', /is not an AppImage: it does not start with the ELF magic .*\(it looks like a text file\)/],
      ['elf-2.0.0.AppImage', Buffer.concat([elf, Buffer.alloc(100)]), /is an ELF file but not an AppImage: it has no AppImage magic/],
      ['type9-2.0.0.AppImage', Buffer.concat([APPIMAGE_HEADER.subarray(0, 10), Buffer.from([9]), Buffer.alloc(100)]), /is an ELF file but not an AppImage/],
    ];
    for (const [name, bytes, why] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const r = await central(['release', 'add', '--data-dir', data, '--file', file, '--version', '2.0.0']);
      expect(r.code, name).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`central release add: --file ${file}: `);
      expect(r.stderr, name).toMatch(why);
    }
    const list = await central(['release', 'list', '--data-dir', data]);
    expect(list.stdout).toBe('');
  });

  it('refuses a version npm semver rejects (leading zero, bad pre-release) at add and set, exit 2 naming it, nothing recorded', async () => {
    const file = path.join(dir, 'checkpoint-kiosk-odd.AppImage');
    fs.writeFileSync(file, appImageBytes('odd version'));
    for (const version of ['02.1.0', '1.02.0', '1.0.00', '1.0.0-01', '1.0.0-beta_1', '1.0.0-a..b']) {
      const r = await central(['release', 'add', '--data-dir', data, '--file', file, '--version', version]);
      expect(r.code, version).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, version).toContain(`central release add: --version ${version}: is not a valid semantic version`);
      const set = await central(['release', 'set', '--data-dir', data, '--version', version, '--staging-percentage', '10']);
      expect(set.code, version).toBe(2);
      expect(set.stderr, version).toContain(`central release set: --version ${version}: is not a valid semantic version`);
    }
    const hinted = await central(['release', 'add', '--data-dir', data, '--file', file, '--version', '02.1.0']);
    expect(hinted.stderr).toContain('(write it as 2.1.0)');
    const list = await central(['release', 'list', '--data-dir', data]);
    expect(list.stdout).toBe('');
  });

  it('lists the releases published, highest version first, the served one marked', async () => {
    for (const version of ['1.4.0', '1.3.0']) {
      const file = path.join(dir, `checkpoint-kiosk-${version}.AppImage`);
      fs.writeFileSync(file, appImageBytes(`AppImage ${version}`));
      expect((await central(['release', 'add', '--data-dir', data, '--file', file, '--version', version])).code).toBe(0);
    }
    const r = await central(['release', 'list', '--data-dir', data]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toMatchObject([
      { version: '1.4.0', file: 'checkpoint-kiosk-1.4.0.AppImage', size: 30, stagingPercentage: 100, served: true },
      { version: '1.3.0', file: 'checkpoint-kiosk-1.3.0.AppImage', served: false },
    ]);
    expect(typeof lines[0]?.sha512).toBe('string');
    expect(typeof lines[0]?.releasedAt).toBe('string');
    const help = await central(['release', '--help']);
    expect(help.stdout).toContain('checkpoint-kiosk central release list (--data-dir DIR | --database URL)');
  });

  it('a database of a newer schema is exit 2 naming both versions and what to do, for the server and the commands', async () => {
    const newer = path.join(dir, 'newer');
    fs.cpSync(data, newer, { recursive: true });
    const db = new Database(path.join(newer, 'central.sqlite'));
    const known = db.pragma('user_version', { simple: true }) as number;
    db.pragma(`user_version = ${known + 5}`);
    db.close();
    for (const args of [['release', 'list', '--data-dir', newer], ['--data-dir', newer, '--port', '47611']]) {
      const r = await central(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`has schema version ${known + 5}, newer than this version of checkpoint-kiosk knows (${known})`);
      expect(r.stderr).toContain('restarting this version cannot help');
    }
    // Nothing was migrated or written over.
    const after = new Database(path.join(newer, 'central.sqlite'), { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(known + 5);
    after.close();
  });

  it('PostgreSQL: a newer schema is the same configuration error', async () => {
    const client = {
      query: async (sql: string) => ({ rows: /SELECT version/.test(sql) ? [{ version: 999 }] : [] }),
      release: () => undefined,
    };
    const pool = { connect: async () => client } as unknown as Parameters<typeof migratePostgres>[0];
    const err = await migratePostgres(pool).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseSettingError);
    expect((err as Error).message).toMatch(/PostgreSQL central database has schema version 999, newer than this version of checkpoint-kiosk knows \(\d+\)/);
  });
});
