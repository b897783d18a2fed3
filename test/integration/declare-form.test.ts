/**
 * The declaration form over real HTTP: Vietnamese by default, English on request (remembered),
 * a refused submit keeps every field (ticked symptoms included) and names each problem next to
 * its field, the page sent back can be submitted again as it is and then issues a declaration
 * that still carries the symptoms; optional fields are really optional.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { silentLogger } from '../../src/core/system.js';
import { verifyDeclaration } from '../../src/credentials/declaration/index.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import { verifySignedTrustBundle } from '../../src/credentials/trust/envelope.js';
import { addEnrollmentCode } from '../../server/enrollment.js';

const T0 = Date.parse('2026-11-25T03:17:42Z');
const clock = { now: () => T0 };
let dir: string;
let central: CentralServer;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'declare-'));
  central = await startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock });
});

afterEach(async () => {
  await central.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function submit(fields: [string, string][], headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  const res = await fetch(`${central.url}/declare`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  return { status: res.status, html: await res.text() };
}

/**
 * What a browser would send when the form in `html` is submitted unchanged: text inputs with
 * their value, checked checkboxes, the selected option of each select, hidden inputs.
 */
function formFields(html: string): [string, string][] {
  const form = /<form[^>]*action="\/declare"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  const unesc = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const attr = (tag: string, name: string) => {
    const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
    return m ? unesc(m[1] as string) : undefined;
  };
  const out: [string, string][] = [];
  for (const m of form.matchAll(/<input\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>/g)) {
    const tag = m[0];
    const name = attr(tag, 'name');
    if (!name) continue;
    if (tag.startsWith('<select')) {
      const selected = /<option value="([^"]*)" selected>/.exec(tag) ?? /<option value="([^"]*)"/.exec(tag);
      out.push([name, unesc(selected?.[1] ?? '')]);
    } else if (attr(tag, 'type') === 'checkbox') {
      if (/\schecked\b/.test(tag)) out.push([name, attr(tag, 'value') ?? 'on']);
    } else {
      out.push([name, attr(tag, 'value') ?? '']);
    }
  }
  return out;
}

function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`<span class="field-error" id="err-${field}">([^<]*)</span>`).exec(html)?.[1];
}

async function trust() {
  await addEnrollmentCode(central.storage, 'CODE-TRUST', T0);
  const enroll = await fetch(`${central.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'CODE-TRUST', device: { name: 'k', version: '1', platform: 'linux' } }),
  });
  const { token } = (await enroll.json()) as { token: string };
  const jws = await (await fetch(`${central.url}/api/v1/trust-bundle`, { headers: { authorization: `Bearer ${token}` } })).text();
  return parseTrustBundle(await verifySignedTrustBundle(jws, central.rootJwk));
}

function qrOf(html: string): string {
  return /<pre>(CKD1:[^<]+)<\/pre>/.exec(html)?.[1] as string;
}

const FILLED: [string, string][] = [
  ['lang', 'vi'],
  ['idType', 'cccd'],
  ['idNo', '001090000001'],
  ['name', 'Nguyễn Văn "An" <b>'],
  ['dob', '1990-05-01'],
  ['from', 'Bắc Ninh'],
  ['to', 'Hà Nội'],
  ['purpose', 'công tác'],
  ['symptoms', 'fever'],
  ['symptoms', 'loss-of-taste-or-smell'],
  ['exposure', 'yes'],
  ['testResult', 'positive'],
  ['testAt', ''],
];

describe('declaration form', () => {
  it('is Vietnamese by default and English on request, remembered in a cookie', async () => {
    const vi = await fetch(`${central.url}/declare`, { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    const viHtml = await vi.text();
    expect(viHtml).toContain('<html lang="vi">');
    expect(viHtml).toContain('Khai báo y tế');
    expect(viHtml).toContain('Mất vị giác hoặc khứu giác');
    expect(vi.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(vi.headers.get('content-security-policy')).not.toContain('unsafe-inline');

    const en = await fetch(`${central.url}/declare?lang=en`);
    expect(await en.text()).toContain('Health declaration');
    const cookie = en.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^ck_lang=en;/);
    const again = await fetch(`${central.url}/declare`, { headers: { cookie: cookie.split(';')[0] as string } });
    expect(await again.text()).toContain('<html lang="en">');
  });

  it('keeps every field of a refused submit, ticked symptoms included, and shows the problem next to its field', async () => {
    const refused = await submit(FILLED);
    expect(refused.status).toBe(400);
    const kept = formFields(refused.html);
    // Everything the person sent comes back exactly (the empty test date too).
    expect(kept).toEqual(FILLED);
    expect(refused.html).toContain('value="Nguyễn Văn &quot;An&quot; &lt;b&gt;"');
    expect(fieldError(refused.html, 'testAt')).toBe('Vui lòng nhập ngày xét nghiệm.');
    expect(refused.html).toMatch(/name="testAt"[^>]*aria-invalid="true" aria-describedby="err-testAt"/);
    for (const ok of ['idNo', 'name', 'dob', 'from', 'to', 'purpose', 'symptoms']) expect(fieldError(refused.html, ok), ok).toBeUndefined();

    // The person fixes only the date and sends the page as it is: the symptoms are still declared.
    const fixed = kept.map(([k, v]): [string, string] => (k === 'testAt' ? [k, '2026-11-24'] : [k, v]));
    const issued = await submit(fixed);
    expect(issued.status).toBe(200);
    const result = verifyDeclaration(qrOf(issued.html), { now: new Date(T0), trust: await trust() });
    expect(result.failures).toEqual([]);
    expect(result.findings).toEqual(['symptoms', 'exposure', 'positive-test']);
    expect(result.messages).toContain('Declared symptoms: fever, loss-of-taste-or-smell');
    expect(result.subject.name).toBe('Nguyễn Văn "An" <b>');
  });

  it('names several problems at once, in English when the form was English', async () => {
    const r = await submit([
      ['lang', 'en'],
      ['idType', 'cccd'],
      ['idNo', '12345'],
      ['name', ''],
      ['dob', '2026-02-31'],
      ['from', 'x'.repeat(101)],
      ['to', 'Hà Nội'],
      ['symptoms', 'cough'],
      ['symptoms', 'headache-from-elsewhere'],
      ['testResult', 'negative'],
      ['testAt', '2027-01-01'],
    ]);
    expect(r.status).toBe(400);
    expect(r.html).toContain('<html lang="en">');
    expect(fieldError(r.html, 'idNo')).toBe('A CCCD number has exactly 12 digits.');
    expect(fieldError(r.html, 'name')).toBe('Please fill in this field.');
    expect(fieldError(r.html, 'dob')).toBe('Not a valid date (year-month-day).');
    expect(fieldError(r.html, 'from')).toBe('At most 100 characters.');
    expect(fieldError(r.html, 'symptoms')).toBe('Not one of the choices.');
    expect(fieldError(r.html, 'testAt')).toBe('The date cannot be in the future.');
    expect(r.html).toContain('Please correct the 6 marked fields below');
    expect(r.html).toMatch(/value="cough" checked/);
  });

  it('refuses a name or place with a bidi override, zero-width or control character instead of signing it (it would show as another name)', async () => {
    const base = FILLED.filter(([k]) => !['lang', 'testResult', 'testAt', 'name', 'from'].includes(k));
    for (const [field, value] of [['name', 'An\u202Enễugn'], ['name', 'Nguy\u200Bễn Văn An'], ['name', 'An\u0007'], ['from', 'Hà\u2066 Nội']] as const) {
      const fields: [string, string][] = ([...base, ['name', 'Nguyễn Văn An'], ['from', 'Bắc Ninh']] as [string, string][]).map(([k, v]): [string, string] => [k, k === field ? value : v]);
      const r = await submit([...fields, ['lang', 'en']]);
      expect(r.status, `${field} ${JSON.stringify(value)}`).toBe(400);
      expect(qrOf(r.html)).toBeUndefined();
      expect(fieldError(r.html, field)).toBe('Contains a hidden or control character (a text-direction mark, for example): type this field again.');
    }
    // Letters that need a joiner in their script are kept.
    const ok = await submit([...base, ['name', 'Nasrin Moh\u200Cammadi'], ['from', 'Bắc Ninh']]);
    expect(ok.status).toBe(200);
  });

  it('issues a declaration with only the required fields (purpose, test and symptoms left empty)', async () => {
    const r = await submit([
      ['idType', 'passport'],
      ['idNo', 'C1234567'],
      ['name', 'Jane Doe'],
      ['dob', '1985-12-24'],
      ['from', 'Singapore'],
      ['to', 'Hà Nội'],
      ['purpose', ''],
      ['testResult', 'none'],
      ['testAt', ''],
    ]);
    expect(r.status).toBe(200);
    expect(r.html).toContain('src="data:image/png;base64,');
    expect(r.html).toContain('Xuất trình mã QR này tại chốt kiểm soát.');
    const result = verifyDeclaration(qrOf(r.html), { now: new Date(T0), trust: await trust() });
    expect(result.failures).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.details).toContainEqual({ label: 'Purpose', value: '—' });
  });

  it('answers a body that is not a form with the empty form and a clear message', async () => {
    const res = await fetch(`${central.url}/declare`, { method: 'POST', body: '"just a string"', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Vui lòng gửi biểu mẫu.');
  });
});
