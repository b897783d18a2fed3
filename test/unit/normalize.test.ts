import { describe, expect, it } from 'vitest';
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
