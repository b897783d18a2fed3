/**
 * Sample scans for `npm run demo`: synthetic people (common Vietnamese names, made-up numbers
 * that follow the CCCD structure). Every cycle brings new people and one scan of each kind a
 * checkpoint sees, so each cycle shows every verdict: accept, refer, reject and "already checked
 * in" (a scanner reading the same card twice). The CKD1 declarations are issued by the running
 * central server through its /declare form (kiosks verify them with the issuer key from the
 * synced trust bundle); the expired one is signed with the same server key read from its data
 * dir, dated four days back.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { issueDeclaration } from '../src/credentials/declaration/index.js';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';

export interface DemoScan {
  label: string;
  text: string;
}

/** The labels of one cycle, in order (printed in the banner and in `--json`). */
export const CYCLE_LABELS = [
  'CCCD chip ID card',
  'the same card read twice',
  'unified personal QR',
  'entry declaration (healthy)',
  'entry declaration (fever, cough)',
  'entry declaration (expired)',
  'ID card with inconsistent digits',
  'not a credential',
] as const;

const PEOPLE = [
  { name: 'Trần Thị Mai', female: true, born: '12041990' },
  { name: 'Nguyễn Văn Hùng', female: false, born: '03091985' },
  { name: 'Phạm Thu Trang', female: true, born: '27111996' },
  { name: 'Lê Minh Đức', female: false, born: '15021979' },
  { name: 'Hoàng Thị Lan', female: true, born: '08061988' },
];

/** The QR text shown by POST /declare (in its <pre>), or an error naming the problem. */
async function declareViaForm(centralUrl: string, form: Record<string, string | string[]>, stop: AbortSignal): Promise<string> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  const res = await fetch(`${centralUrl}/declare`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.any([stop, AbortSignal.timeout(10_000)]) });
  const html = await res.text();
  const m = /<pre[^>]*>(CKD1:[^<]{1,8000})<\/pre>/.exec(html);
  if (res.status !== 200 || !m) throw new Error(`POST /declare answered ${res.status} without a declaration`);
  return m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

export interface DemoScanSource {
  /** The scans of cycle `n` (0, 1, …): new people every cycle. */
  cycle(n: number): Promise<DemoScan[]>;
}

/**
 * `stop` aborts a declaration request in flight when the demo stops. `seed` makes the people of this run differ from those of an earlier run on the same data dir
 * (a restart within the duplicate window would otherwise show only "already checked in").
 */
export function demoScanSource(opts: { centralUrl: string; centralDataDir: string; now: () => Date; seed: number; stop: AbortSignal }): DemoScanSource {
  let declarationKey: { privateKey: KeyObject; kid: string } | undefined;
  const expiredSigner = () => {
    if (!declarationKey) {
      const privateKey = createPrivateKey(readFileSync(path.join(opts.centralDataDir, 'declaration-key.pem'), 'utf8'));
      declarationKey = { privateKey, kid: kidOfPublicKey(createPublicKey(privateKey)) };
    }
    return declarationKey;
  };
  const warn = (what: string, err: unknown) => process.stderr.write(`demo: no ${what} this cycle (${err instanceof Error ? err.message : String(err)}); continuing without\n`);

  return {
    async cycle(n) {
      const serial = (k: number) => String((opts.seed + n * 7 + k) % 1_000_000).padStart(6, '0');
      const p = PEOPLE[n % PEOPLE.length]!;
      const q = PEOPLE[(n + 2) % PEOPLE.length]!;
      const yy = p.born.slice(6, 8);
      const idNo = `001${p.female ? 1 : 0}${yy}${serial(0)}`;
      const card = `${idNo}||${p.name}|${p.born}|${p.female ? 'Nữ' : 'Nam'}|Số ${n + 1} Phố Huế, Quận Hai Bà Trưng, Hà Nội|01062021`;
      const scans: DemoScan[] = [
        { label: CYCLE_LABELS[0], text: card },
        { label: CYCLE_LABELS[1], text: card },
        { label: CYCLE_LABELS[2], text: `******${serial(1)}|PHAM QUOC HUNG|1988-**-**|0|Q00120${serial(1)}|` },
      ];
      const traveller = { idType: 'cccd', idNo: `031${q.female ? 1 : 0}${q.born.slice(6, 8)}${serial(2)}`, name: q.name, dob: `${q.born.slice(4)}-${q.born.slice(2, 4)}-${q.born.slice(0, 2)}`, from: 'Hải Phòng', to: 'Hà Nội', purpose: 'work' };
      try {
        scans.push({ label: CYCLE_LABELS[3], text: await declareViaForm(opts.centralUrl, traveller, opts.stop) });
        scans.push({ label: CYCLE_LABELS[4], text: await declareViaForm(opts.centralUrl, { ...traveller, idNo: `036187${serial(3)}`, name: 'Đỗ Thị Hương', dob: '1987-02-03', from: 'Nam Định', symptoms: ['fever', 'cough'] }, opts.stop) });
      } catch (err) {
        if (!opts.stop.aborted) warn('declaration from the central server', err);
      }
      try {
        const text = issueDeclaration(
          { id: `demo-expired-${opts.seed}-${n}`, sub: { idType: 'cccd', idNo: `001078${serial(4)}`, name: 'Vũ Văn Thành', dob: '1978-11-30' }, trip: { from: 'Bắc Ninh', to: 'Hà Nội', purpose: 'family' }, health: { symptoms: [], exposure: false } },
          expiredSigner(),
          { iss: opts.centralUrl, now: new Date(opts.now().getTime() - 4 * 24 * 3_600_000), validHours: 72 },
        );
        scans.push({ label: CYCLE_LABELS[5], text });
      } catch (err) {
        warn('expired declaration', err);
      }
      // Digit 4 says "born in the 1900s, male" but the card says Nữ (female): inconsistent-id.
      scans.push({ label: CYCLE_LABELS[6], text: `001090${serial(5)}||Bùi Thị Hạnh|21071990|Nữ|Hà Nội|01062021` });
      scans.push({ label: CYCLE_LABELS[7], text: `HELLO-THIS-IS-NOT-A-CHECK-IN-CODE-${n}` });
      return scans;
    },
  };
}
