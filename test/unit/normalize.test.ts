import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeScanText } from '../../src/core/normalize.js';
import { maskName } from '../../src/shared/mask.js';

describe('normalizeScanText', () => {
  it('strips BOM, whitespace, CR/LF leftovers and an AIM prefix', () => {
    expect(normalizeScanText('\uFEFF  ]Q1HC1:ABC \r\n')).toEqual({ ok: true, text: 'HC1:ABC', aimId: ']Q1' });
    expect(normalizeScanText('abc\r')).toEqual({ ok: true, text: 'abc' });
  });
  it('rejects empty, oversize and control-character input with specific reasons', () => {
    expect(normalizeScanText(' \r\n')).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(normalizeScanText('x'.repeat(4297))).toMatchObject({ ok: false, reason: 'too-large' });
    expect(normalizeScanText('x'.repeat(1_000_000))).toMatchObject({ ok: false, reason: 'too-large' });
    expect(normalizeScanText('ab\u0000cd')).toMatchObject({ ok: false, reason: 'unreadable' });
  });
  it('names the first control character of a refused scan, where it is and how many more there are', () => {
    expect(normalizeScanText('ab\u0000cd')).toEqual({ ok: false, reason: 'unreadable', detail: 'scan contains control characters: U+0000 (NUL) at offset 2' });
    // A GS1 separator a scanner sends, an ESC prefix set up in it, UTF-16 read as UTF-8.
    expect(normalizeScanText('HC1:\u001dNCF')).toMatchObject({ detail: 'scan contains control characters: U+001D (GS) at offset 4' });
    expect(normalizeScanText('\u001bHC1:NCF')).toMatchObject({ detail: 'scan contains control characters: U+001B (ESC) at offset 0' });
    expect(normalizeScanText('H\u0000C\u00001\u0000:\u0000')).toMatchObject({ detail: 'scan contains control characters: U+0000 (NUL) at offset 1, and 3 more' });
    expect(normalizeScanText('ab\u007fcd')).toMatchObject({ detail: 'scan contains control characters: U+007F (DEL) at offset 2' });
  });
  it('keeps the largest QR payload', () => {
    expect(normalizeScanText('x'.repeat(4296))).toMatchObject({ ok: true });
  });
});

describe('maskName', () => {
  it('keeps first and last letters, counting Vietnamese letters as one', () => {
    expect(maskName('NGUYỄN VĂN AN')).toBe('N****N V*N A*');
    expect(maskName('Nguyễn Thị B')).toBe('N****n T*ị B');
    expect(maskName('  LE   O ')).toBe('L* O');
  });
  it('normalises decomposed diacritics before masking', () => {
    expect(maskName('Nguye\u0302\u0303n')).toBe('N****n');
  });
});

/** maskName as it was written first (split into words, Array.from of letters): the reference. */
function maskNameReference(name: string): string {
  let out = '';
  for (const word of name.trim().split(/\s+/u)) {
    if (word.length === 0) continue;
    const chars = Array.from(word.normalize('NFC'));
    const n = chars.length;
    const masked = n <= 1 ? chars.join('') : n === 2 ? `${chars[0]}*` : `${chars[0]}${'*'.repeat(n - 2)}${chars[n - 1]}`;
    out = out === '' ? masked : `${out} ${masked}`;
  }
  return out;
}

describe('maskName and normalizeScanText against their first versions', () => {
  const PIECES = ['A', 'n', 'ễ', 'e\u0302\u0303', '\u0301', ' ', '  ', '\t', '\r\n', '\u00A0', '\u2000', '\u3000', '\uFEFF', '\uD83D\uDE00', '\uD800', '\uDC00', '.', '-', "'", '\u0085', '\u007F'];
  const text = fc.oneof(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 40 }));

  it('maskName gives what splitting into words and letters gave, for any text', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(maskName(t)).toBe(maskNameReference(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('normalizeScanText trims exactly as trim() does, for any text', () => {
    fc.assert(
      fc.property(text, (t) => {
        const r = normalizeScanText(t);
        const trimmed = (t.charCodeAt(0) === 0xfeff ? t.slice(1) : t).trim();
        if (r.ok) expect(r.text.length === 0 ? '' : trimmed.endsWith(r.text)).toBeTruthy();
        if (r.ok && r.aimId === undefined) expect(r.text).toBe(trimmed);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('unfoldBase45Case', () => {
  it('upper-cases a base45 credential typed entirely in lower case (HC1, CKD1, CKP1)', () => {
    expect(normalizeScanText('hc1:6bfoxn%ts3dh0yoj58s')).toEqual({ ok: true, text: 'HC1:6BFOXN%TS3DH0YOJ58S' });
    expect(normalizeScanText(']Q1ckd1:ab$cd ef')).toEqual({ ok: true, text: 'CKD1:AB$CD EF', aimId: ']Q1' });
    expect(normalizeScanText('ckp1:ab')).toEqual({ ok: true, text: 'CKP1:AB' });
  });
  it('leaves everything else as it was', () => {
    for (const text of ['HC1:ABC', 'hc1:aBc', 'Ckp1:ab', 'shc:/5676', 'chc1:abc', 'cccd|nguyễn', 'hello']) {
      expect(normalizeScanText(text)).toEqual({ ok: true, text });
    }
  });
});
