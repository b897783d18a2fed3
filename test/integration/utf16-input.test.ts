/**
 * UTF-16 where UTF-8 is expected, named as such: `verify -` fed UTF-16LE without a byte order mark
 * said "standard input holds 3 lines", and `run --scanner stdin` fed UTF-16 with one recorded
 * "the scanner sent bytes that are not text". Both now say the input looks like UTF-16 and to send
 * UTF-8.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const CARD = '079090001234|123456789|Nguyen Van An|01021990|Nam|So 1 Hang Bac, Ha Noi|15082021';

describe('UTF-16 input', () => {
  it('verify - with UTF-16LE and no byte order mark: exit 2 saying it looks like UTF-16', () => {
    const r = runCli(['verify', '-'], Buffer.from(`${CARD}\r\n`, 'utf16le'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^verify: standard input looks like UTF-16 \(many NUL bytes at every other position\); send it as UTF-8/);
    expect(r.stderr).not.toMatch(/lines/);
  });

  it('run --scanner stdin with UTF-16 and its byte order mark: the check-in message says it looks like UTF-16', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-utf16-'));
    try {
      const r = runCli(['run', '--data-dir', join(dir, 'kiosk'), '--scanner', 'stdin'], Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${CARD}\r\n`, 'utf16le')]));
      expect(r.code, r.stderr).toBe(0);
      const first = r.lines.find((l) => l.event === 'checkin');
      expect(first).toMatchObject({ verdict: 'reject', reasons: ['unreadable'] });
      expect(first?.message).toBe('the scanner sent bytes that are not UTF-8 text: the input looks like UTF-16 (many NUL bytes at every other position); send it as UTF-8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
