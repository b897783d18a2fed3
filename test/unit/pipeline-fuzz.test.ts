/**
 * Property: whatever a scanner delivers — random text, random bytes, mutations of real payloads —
 * assessment ends in a verdict with at least one reason code when it is not an accept, and never
 * throws. Runs against every registered format.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessScanNow } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';
import { silentLogger } from '../../src/core/system.js';
import { isReasonCode } from '../../src/shared/reasons.js';
import type { ScanEvent } from '../../src/shared/types.js';

const deps = { formats: DEFAULT_FORMATS, trust: () => EMPTY_TRUST, policy: () => DEFAULT_POLICY, logger: silentLogger };
const NOW = new Date('2026-11-25T03:00:00Z');

const SEEDS = [
  '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021',
  '079301001234||Trần Thị Bình|29022000|Nữ|Quận 1, TP HCM|01012022|extra',
  '******001234|NGUYEN VAN AN|1990-**-**|1|QID123456789|',
  'HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B3KL6QM5/OVGA/MAT%ZSGO/MPKKTJ:N.BC',
  'shc:/5676290952432060346029243740446031222959532654603460292540772804336028702864716745222809286133314564376531415906402203064504590856435503414245413640370636654171372412363803043756220467374075323239254334433260573601064529047673570532',
  'CKD1:6BF+70790T9WJWG.FKY*4GO0.O1CV2 O5 N2FBBRW1*70HS8WY04AC*WIFN0AHCD8KD97TK0F90KECTHGWJC0FDC:5AIA%G7X+AQB9746HS80:54IBQF60R6$A80X6S1BTYACG6M+9XG8KIAWNA91AY%67092L4WJCT3EHS8XJC$+DXJCCWENF6OF63W5NW6WF6%JC QE/IAYJC5LEW34U3ET7DXC9 QE-ED8%E.JCBECB1A-:8$96646AL60A60S6Q$D.UDRYA 96NF6L/5QW6307KQEPD09WEQDD+Q6TW6FA7C466KCN9E%961A6DL6FA7D46JPCT3E5JDLA7$Q6E464W5TG6..DX%DZJC6/DTZ9 QE5$CB$DA/D JC1/D3Z8WED1ECW.CCWE.Y92OAGY8MY9L+9MPCG/D5 C5IA5N9$PC5$CWKEOIC',
];

function scanOf(text: string, bytes?: Uint8Array): ScanEvent {
  return { source: 'sim', deviceId: 'fuzz', text, ...(bytes ? { bytes } : {}), receivedAt: NOW.getTime() };
}

async function expectVerdict(scan: ScanEvent) {
  const { verdict } = await assessScanNow(scan, NOW, deps);
  expect(['accept', 'reject', 'refer']).toContain(verdict.verdict);
  for (const r of verdict.reasons) expect(isReasonCode(r), r).toBe(true);
  if (verdict.verdict !== 'accept') expect(verdict.reasons.length).toBeGreaterThan(0);
}

const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
  .map(([seed, at, len, insert]) => {
    const i = at % (seed.length + 1);
    return seed.slice(0, i) + insert + seed.slice(Math.min(seed.length, i + (len % 5)));
  });

describe('pipeline fuzz (fast-check)', () => {
  it('random unicode text always gets a verdict', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => expectVerdict(scanOf(s))), { numRuns: 3000 });
  });
  it('random bytes decoded as the serial driver would always get a verdict', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), (bytes) => expectVerdict(scanOf(Buffer.from(bytes).toString('latin1'), bytes))),
      { numRuns: 3000 },
    );
  });
  it('mutations of real-shaped payloads always get a verdict', async () => {
    await fc.assert(fc.asyncProperty(mutated, (s) => expectVerdict(scanOf(s))), { numRuns: 5000 });
  });
  it('pipe-separated field soup always gets a verdict', async () => {
    const field = fc.oneof(fc.stringMatching(/^\d{0,13}$/), fc.string({ maxLength: 20 }), fc.constantFrom('Nam', 'Nữ', '01012000', '1990-**-**', '0', '1'));
    await fc.assert(fc.asyncProperty(fc.array(field, { maxLength: 10 }), (fields) => expectVerdict(scanOf(fields.join('|')))), { numRuns: 5000 });
  });
  it('driver faults become rejects with the fault as reason', async () => {
    for (const fault of ['too-large', 'unreadable'] as const) {
      const { verdict } = await assessScanNow({ ...scanOf(''), fault }, NOW, deps);
      expect(verdict).toMatchObject({ verdict: 'reject', reasons: [fault] });
    }
  });
});
