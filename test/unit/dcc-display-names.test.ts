/**
 * The name a DCC puts on the screen and into the check-in record. The schema lets a bidi override
 * or a zero-width space through `nam.fn`/`nam.gn` and the EU verifiers accept the certificate; the
 * kiosk did too, and showed and recorded that text: "Nguyễn\u202E…" reads reversed on the screen
 * and no longer matches the person's documents when traced (CKD1 refuses such names outright,
 * docs/FORMATS.md). The certificate is still accepted, with the ICAO spelling as the name.
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const signer = makeSigner();
const trust = buildDccTrust([signer.certificate]);

async function shown(nam: Record<string, string>) {
  const text = issueHc1({ dcc: { ...sampleVaccination(), nam }, signer });
  const { result, verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: verdict.verdict, name: result.subject.name, masked: verdict.display.maskedName };
}

describe('DCC names with characters that change how they are shown', () => {
  it('a plain Vietnamese name is shown as written', async () => {
    expect(await shown({ fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Thị Ánh', gnt: 'THI<ANH' })).toMatchObject({ verdict: 'accept', name: 'Nguyễn Thị Ánh' });
  });

  it.each([
    ['a right-to-left override', 'Ng\u202Euyễn'],
    ['a zero-width space', 'Ngu\u200Byễn'],
    ['a bidi isolate', '\u2066Nguyễn\u2069'],
    ['a control character', 'Nguy\u0007ễn'],
  ])('%s in fn: accepted, the ICAO spelling is shown and recorded', async (_what, fn) => {
    const r = await shown({ fn, fnt: 'NGUYEN', gn: 'Văn An', gnt: 'VAN<AN' });
    expect(r).toMatchObject({ verdict: 'accept', name: 'NGUYEN Văn An' });
    for (const c of ['\u202E', '\u200B', '\u2066', '\u2069', '\u0007']) expect(r.masked).not.toContain(c);
  });

  it('without an ICAO spelling for that part, the part is left out', async () => {
    expect(await shown({ fn: 'Ng\u202Euyễn', gn: 'Văn An', gnt: 'VAN<AN' })).toMatchObject({ verdict: 'accept', name: 'Văn An' });
  });

  it('a part left out is named in the messages, so the officer knows why the name is short', async () => {
    const text = issueHc1({ dcc: { ...sampleVaccination(), nam: { fn: 'Ng\u202Euyễn', gn: 'Văn An', gnt: 'VAN<AN' } }, signer });
    const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
    expect(verdict.display.messages).toEqual([
      'nam.fn holds the invisible or control character U+202E and the DCC gives no nam.fnt: that part of the name is not shown or recorded (check it on the person\'s documents)',
    ]);
    // With an ICAO spelling to show instead, nothing is left out and nothing is said.
    const icao = issueHc1({ dcc: { ...sampleVaccination(), nam: { fn: 'Ng\u202Euyễn', fnt: 'NGUYEN', gn: 'Văn An', gnt: 'VAN<AN' } }, signer });
    expect((await assessText(icao, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger })).verdict.display.messages).toEqual([]);
  });

  it('ZWNJ and ZWJ, which some scripts need inside names, are kept', async () => {
    expect(await shown({ fn: 'Mi\u200Cller', fnt: 'MILLER' })).toMatchObject({ name: 'Mi\u200Cller' });
  });
});

describe('the certificate issuer line', () => {
  async function details(is: string) {
    const base = sampleVaccination() as { v: Record<string, unknown>[] };
    const text = issueHc1({ dcc: { ...base, v: [{ ...base.v[0]!, is }] } as never, signer });
    const { result, verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
    return { verdict: verdict.verdict, details: result.details ?? [] };
  }

  it('is shown as written', async () => {
    expect((await details('Ministry of Health')).details).toContainEqual({ label: 'issuer', value: 'Ministry of Health' });
  });

  it('holding a bidi override or a control is left off the screen (the certificate is still accepted)', async () => {
    for (const is of ['Ministry of \u202EHealth', 'Ministry\u0007 of Health', 'Mini\u200Bstry']) {
      const r = await details(is);
      expect(r.verdict).toBe('accept');
      expect(r.details.find((d) => d.label === 'issuer')).toBeUndefined();
    }
  });
});
