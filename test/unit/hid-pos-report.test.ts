import { describe, expect, it } from 'vitest';
import { isAimId, symbologyFromAim } from '../../drivers/hid/aim.js';
import { decodeScanBytes, parsePosReport, PosReassembler } from '../../drivers/hid/pos-report.js';
import { posProfileFor, STANDARD_POS_LAYOUT } from '../../drivers/hid/pos-vendors.js';

function report(data: string | Uint8Array, opts: { aim?: string; more?: boolean; id?: number; len?: number } = {}): Uint8Array {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const r = new Uint8Array(64);
  r[0] = opts.id ?? 0x02;
  r[1] = opts.len ?? bytes.length;
  if (opts.aim) r.set(new TextEncoder().encode(opts.aim), 2);
  r.set(bytes.subarray(0, 56), 5);
  r[63] = opts.more ? 1 : 0;
  return r;
}

describe('AIM symbology ids', () => {
  it.each([
    [']Q1', 'qr'],
    [']C0', 'code128'],
    [']C1', 'gs1-128'],
    [']E0', 'ean13'],
    [']E4', 'ean8'],
    [']d1', 'datamatrix'],
    [']z0', 'aztec'],
    [']L2', 'pdf417'],
    [']A0', 'code39'],
    [']I1', 'itf'],
    [']e0', 'gs1-databar'],
  ])('%s is %s', (aim, name) => {
    expect(symbologyFromAim(aim)).toBe(name);
  });

  it('rejects strings that are not AIM ids', () => {
    for (const s of ['', ']Q', 'Q1]', ']1Q', ']Q\u0000', ']Q1x']) expect(isAimId(s)).toBe(false);
    expect(symbologyFromAim(']Y0')).toBeUndefined();
  });
});

describe('parsePosReport', () => {
  const layout = STANDARD_POS_LAYOUT;

  it('reads length, AIM id, data and the continuation bit', () => {
    const p = parsePosReport(report('ABC', { aim: ']Q1', more: true }), layout);
    expect(p).toEqual({ ok: true, aim: ']Q1', data: new TextEncoder().encode('ABC'), more: true });
  });

  it('accepts a report whose id the platform stripped (63 bytes)', () => {
    const p = parsePosReport(report('XYZ', { aim: ']C0' }).subarray(1), layout);
    expect(p.ok && new TextDecoder().decode(p.data)).toBe('XYZ');
    // Two data bytes: the stripped report starts with 0x02, the same value as the report id.
    const two = parsePosReport(report('AB', { aim: ']C0' }).subarray(1), layout);
    expect(two.ok && new TextDecoder().decode(two.data)).toBe('AB');
  });

  it('does not accept a stripped report when the layout says the id is always present', () => {
    expect(parsePosReport(report('XYZ').subarray(1), { ...layout, reportIdPresence: 'always' })).toEqual({ ok: false, reason: 'too-short' });
  });

  it('names why a report is rejected', () => {
    expect(parsePosReport(report('A', { id: 0x04 }), layout)).toEqual({ ok: false, reason: 'unknown-report-id' });
    expect(parsePosReport(new Uint8Array([0x02, 0x01, 0x5d]), layout)).toEqual({ ok: false, reason: 'too-short' });
    expect(parsePosReport(new Uint8Array(0), layout)).toEqual({ ok: false, reason: 'too-short' });
    expect(parsePosReport(report('A', { len: 57 }), layout)).toEqual({ ok: false, reason: 'bad-length' });
    expect(parsePosReport(report('A', { aim: 'QR1' }), layout)).toEqual({ ok: false, reason: 'junk' });
    // A boot keyboard report (8 bytes, modifiers first) that reached the POS interface by mistake.
    expect(parsePosReport(new Uint8Array([0, 0, 0x04, 0, 0, 0, 0, 0]), layout).ok).toBe(false);
  });

  it('reads the Honeywell Code ID from byte 61 with the Honeywell layout', () => {
    const r = report('x', { aim: ']Q1' });
    r[61] = 0x73;
    const p = parsePosReport(r, posProfileFor(0x0c2e).layout);
    expect(p.ok && p.vendorCodeId).toBe(0x73);
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 500; i++) {
      const n = (i * 7919) % 70;
      const r = Uint8Array.from({ length: n }, (_, j) => (i * 31 + j * 17) & 0xff);
      expect(() => parsePosReport(r, layout)).not.toThrow();
    }
  });
});

describe('PosReassembler', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('joins continued fragments and keeps the first AIM id', () => {
    const r = new PosReassembler();
    expect(r.push({ aim: ']Q1', data: enc('Hà '), more: true }).kind).toBe('partial');
    expect(r.pending).toBe(true);
    const done = r.push({ aim: ']Q1', data: enc('Nội'), more: false });
    expect(done.kind === 'complete' && decodeScanBytes(done.bytes)).toBe('Hà Nội');
    expect(done.kind === 'complete' && done.reports).toBe(2);
    expect(r.pending).toBe(false);
  });

  it('reports an over-long read as too large and recovers for the next one', () => {
    const r = new PosReassembler(100);
    const chunk = new Uint8Array(56).fill(0x41);
    expect(r.push({ aim: ']Q1', data: chunk, more: true }).kind).toBe('partial');
    expect(r.push({ aim: ']Q1', data: chunk, more: true }).kind).toBe('partial');
    expect(r.push({ aim: ']Q1', data: chunk, more: false })).toEqual({ kind: 'too-large', aim: ']Q1', droppedBytes: 168, reports: 3 });
    const next = r.push({ aim: ']C0', data: enc('OK'), more: false });
    expect(next.kind === 'complete' && decodeScanBytes(next.bytes)).toBe('OK');
  });

  it('discard() drops a half-received read', () => {
    const r = new PosReassembler();
    r.push({ aim: ']Q1', data: enc('half'), more: true });
    expect(r.discard()).toBe(4);
    const next = r.push({ aim: ']C0', data: enc('new'), more: false });
    expect(next.kind === 'complete' && decodeScanBytes(next.bytes)).toBe('new');
  });
});

describe('decodeScanBytes', () => {
  it('decodes UTF-8, and falls back to CP1252 for bytes that are not UTF-8', () => {
    expect(decodeScanBytes(new TextEncoder().encode('Nguyễn'))).toBe('Nguyễn');
    expect(decodeScanBytes(Uint8Array.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x80]))).toBe('Müller€');
  });
});
