/**
 * `verify -` reads standard input as UTF-8, and as UTF-16 when it starts with a UTF-16 byte order
 * mark (Windows Notepad's "Unicode", PowerShell 5's `>`): such a file read as UTF-8 was a NUL
 * after every character and was refused as "scan contains control characters".
 */
import { describe, expect, it } from 'vitest';
import { stdinText } from '../../src/cli/commands/verify.js';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';

const CARD = '079090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
};

describe('verify: standard input as text', () => {
  it('reads UTF-16 with its byte order mark, little or big endian, as the text it holds', () => {
    expect(stdinText(utf16le(`${CARD}\r\n`))).toBe(`${CARD}\r\n`);
    expect(stdinText(utf16be(CARD))).toBe(CARD);
  });

  it('reads UTF-8 as before (with or without its byte order mark)', () => {
    expect(stdinText(Buffer.from(CARD, 'utf8'))).toBe(CARD);
    expect(stdinText(Buffer.from(`\uFEFF${CARD}`, 'utf8'))).toBe(`\uFEFF${CARD}`);
  });

  it('a UTF-16 card is judged as the card, not refused as control characters', async () => {
    const a = await assessText(stdinText(utf16le(`${CARD}\r\n`)), new Date('2026-11-26T08:00:00Z'), {
      formats: DEFAULT_FORMATS,
      trust: () => EMPTY_TRUST,
      policy: () => DEFAULT_POLICY,
      logger: silentLogger,
    });
    expect(a.verdict).toMatchObject({ verdict: 'accept', reasons: ['identity-only'] });
  });

  it('refuses UTF-16 without a byte order mark, and UTF-16 cut to an odd number of bytes, naming the cause', () => {
    // Read as UTF-8 it was NUL after every character and its CR LF made "standard input holds 3 lines".
    expect(() => stdinText(Buffer.from(`${CARD}\r\n`, 'utf16le'))).toThrow(/^verify: standard input looks like UTF-16 \(many NUL bytes at every other position\); send it as UTF-8/);
    const be = Buffer.from(CARD, 'utf16le');
    be.swap16();
    expect(() => stdinText(be)).toThrow(/looks like UTF-16/);
    const odd = utf16le(`${CARD}\r\n`);
    expect(() => stdinText(Buffer.concat([odd, Buffer.from([0x41])]))).toThrow(`holds an odd number of bytes (${odd.length + 1})`);
    expect(() => stdinText(utf16be(CARD).subarray(0, 2 + 2 * CARD.length - 1))).toThrow(`odd number of bytes (${1 + 2 * CARD.length})`);
  });
});
