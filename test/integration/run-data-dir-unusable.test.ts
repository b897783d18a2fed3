/**
 * A --data-dir that cannot be a data dir is a configuration error (README "Exit codes": exit 2)
 * with a message naming the path, the problem and the fix — never a raw `EEXIST: … mkdir`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DataDirError, dataDirProblem, prepareDataDir } from '../../src/app/data-dir.js';

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-datadir-'));
  file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --data-dir that cannot be used', () => {
  it('a file: exit 2, "is a file, not a folder"', () => {
    const r = runCli(['run', '--data-dir', file, '--scanner', 'stdin'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`run: --data-dir ${file} is a file, not a folder`);
    expect(r.stderr).not.toContain('EEXIST');
  });
  it('a folder under a file: exit 2, names the part that is a file', () => {
    const r = runCli(['run', '--data-dir', join(file, 'kiosk'), '--scanner', 'stdin'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a part of that path is a file');
    expect(r.stderr).not.toContain('ENOTDIR');
  });
  it('--set-pin on a file: exit 2 too', () => {
    const r = runCli(['run', '--data-dir', file, '--set-pin'], '482913\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a file, not a folder');
  });
});

describe('prepareDataDir', () => {
  it('creates a missing folder with its parents and accepts an existing one', () => {
    const d = join(dir, 'new', 'deeper');
    prepareDataDir(d);
    prepareDataDir(d);
  });
  it('refuses a file with DataDirError', () => {
    expect(() => prepareDataDir(file)).toThrow(DataDirError);
  });
  it('names permission, read-only disk and a parent that cannot be made in plain words', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(dataDirProblem(errno('EACCES'), '/srv/k')?.message).toMatch(/^\/srv\/k cannot be created or written by this user \(permission denied\)/);
    expect(dataDirProblem(errno('EPERM'), '/srv/k')?.message).toMatch(/permission denied/);
    expect(dataDirProblem(errno('EROFS'), '/srv/k')?.message).toMatch(/read-only file system/);
    expect(dataDirProblem(errno('ENOENT'), '/srv/k')?.message).toMatch(/parent folder does not exist/);
    expect(dataDirProblem(errno('EIO'), '/srv/k')).toBeUndefined();
  });
});
