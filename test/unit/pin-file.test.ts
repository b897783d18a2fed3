/**
 * A file holding the technician PIN (CHECKPOINT_KIOSK_PIN_FILE, `export --reveal --pin-file`) is
 * checked the same way wherever it is named: missing, a folder, or readable by group/others are
 * refused with what is wrong and what to check, never a bare errno. Real files in a temp folder.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIN_FILE_ENV, PinInputError, checkPinFile, readPinFile } from '../../src/app/access/provision-pin.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-pin-file-'));
  mkdirSync(join(dir, 'a-folder'));
  writeFileSync(join(dir, 'ok.txt'), '975310\n', { mode: 0o600 });
  writeFileSync(join(dir, 'open.txt'), '975310\n');
  chmodSync(join(dir, 'open.txt'), 0o644);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PIN files', () => {
  it('reads a 0600 file', () => {
    expect(readPinFile(join(dir, 'ok.txt'))).toBe('975310');
  });

  it.each([
    ['a missing file', 'missing.txt', /^CHECKPOINT_KIOSK_PIN_FILE=.*missing\.txt: the PIN file does not exist; check the path/],
    ['a folder', 'a-folder', /a-folder: a directory; name the file that holds the PIN/],
    ['a file group or others can read', 'open.txt', /open\.txt: readable by group or others \(mode 644\); run chmod 600 on it/],
  ])('%s is refused with what to check', (_what, name, message) => {
    expect(() => readPinFile(join(dir, name))).toThrow(PinInputError);
    expect(() => readPinFile(join(dir, name))).toThrow(message);
  });

  it('names the setting it came from', () => {
    expect(() => checkPinFile(join(dir, 'open.txt'), '--pin-file X')).toThrow(/^--pin-file X: readable by group or others .*chmod 600/);
    expect(PIN_FILE_ENV).toBe('CHECKPOINT_KIOSK_PIN_FILE');
  });
});
