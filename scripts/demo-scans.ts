/**
 * Sample scans for `npm run demo`: synthetic people (common Vietnamese names, made-up numbers
 * that follow the CCCD structure), one of each kind a checkpoint sees. The CKD1 declarations are
 * issued by the running central server through its /declare form (so kiosks verify them with the
 * issuer key from the synced trust bundle); the expired one is signed with the same server key
 * read from its data dir, dated four days back.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { issueDeclaration } from '../src/credentials/declaration/index.js';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';

export interface DemoScan {
  label: string;
  text: string;
}

/** The QR text shown by POST /declare (in its <pre>), or an error naming the problem. */
async function declareViaForm(centralUrl: string, form: Record<string, string | string[]>): Promise<string> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  const res = await fetch(`${centralUrl}/declare`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(10_000) });
  const html = await res.text();
  const m = /<pre[^>]*>(CKD1:[^<]{1,8000})<\/pre>/.exec(html);
  if (res.status !== 200 || !m) throw new Error(`POST /declare answered ${res.status} without a declaration`);
  return m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

const TRAVELLER = { idType: 'cccd', idNo: '031095004567', name: 'Lê Hoàng Nam', dob: '1995-08-21', from: 'Hải Phòng', to: 'Hà Nội', purpose: 'work' };

export async function buildDemoScans(opts: { centralUrl: string; centralDataDir: string; now: Date }): Promise<DemoScan[]> {
  const scans: DemoScan[] = [
    { label: 'CCCD chip ID card', text: '001190023456||Trần Thị Mai|12041990|Nữ|Số 5 Phố Huế, Phường Phạm Đình Hổ, Quận Hai Bà Trưng, Hà Nội|01062021' },
    { label: 'unified personal QR', text: '******205678|PHAM QUOC HUNG|1988-**-**|0|Q0012088HUNG|' },
  ];
  try {
    scans.push({ label: 'entry declaration (healthy)', text: await declareViaForm(opts.centralUrl, TRAVELLER) });
    scans.push({
      label: 'entry declaration (fever, cough)',
      text: await declareViaForm(opts.centralUrl, { ...TRAVELLER, idNo: '036187001234', name: 'Đỗ Thị Hương', dob: '1987-02-03', from: 'Nam Định', symptoms: ['fever', 'cough'] }),
    });
  } catch (err) {
    process.stderr.write(`demo: no declaration from the central server (${(err as Error).message}); continuing without\n`);
  }
  try {
    const pem = readFileSync(path.join(opts.centralDataDir, 'declaration-key.pem'), 'utf8');
    const privateKey = createPrivateKey(pem);
    const kid = kidOfPublicKey(createPublicKey(privateKey));
    const issuedAt = new Date(opts.now.getTime() - 4 * 24 * 3_600_000);
    const text = issueDeclaration(
      { id: 'demo-expired-0001', sub: { idType: 'cccd', idNo: '001078009876', name: 'Vũ Văn Thành', dob: '1978-11-30' }, trip: { from: 'Bắc Ninh', to: 'Hà Nội', purpose: 'family' }, health: { symptoms: [], exposure: false } },
      { privateKey, kid },
      { iss: opts.centralUrl, now: issuedAt, validHours: 72 },
    );
    scans.push({ label: 'entry declaration (expired)', text });
  } catch (err) {
    process.stderr.write(`demo: no expired declaration (${(err as Error).message}); continuing without\n`);
  }
  scans.push({ label: 'not a credential', text: 'HELLO-THIS-IS-NOT-A-CHECK-IN-CODE' });
  return scans;
}
