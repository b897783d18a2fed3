/**
 * End to end, the screen for a multi-QR SMART Health Card (README "run"): the real kiosk service in
 * web mode, a serial scanner on a socat pty, Debian's Chromium through playwright-core. One chunk
 * scanned → the screen says "code 1 of 2 read, scan the next one" (in the screen's language) and
 * nothing is recorded; the last chunk → one check-in, shown as a verdict. A wedge scan of a chunk
 * is answered with the prompt, not as a storage fault. "Cancel this card" on the prompt records the
 * held chunk at once as one rejected check-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiKiosk, type UiKiosk } from '../helpers/ui-kiosk.js';
import { issueShcChunks } from '../../src/credentials/shc/issue.js';
import { SHC_EXAMPLE_ISS } from '../helpers/keys.js';
import { exampleBundle, shcSigner } from '../helpers/shc-cards.js';

let k: UiKiosk;
let chunks: string[];
const rows = () => [...k.kiosk.store.all()].length;

beforeAll(async () => {
  k = await startUiKiosk();
  chunks = await issueShcChunks({ iss: SHC_EXAMPLE_ISS, nbf: Math.floor(Date.now() / 1000) - 86_400, fhirBundle: exampleBundle() }, shcSigner, 2);
}, 120_000);

afterAll(async () => {
  await k?.close();
});

describe('kiosk screen: a multi-QR SMART Health Card', { timeout: 120_000 }, () => {
  it('asks for the next code after a chunk, records nothing until the card is whole, then shows one verdict', async () => {
    await k.page.goto(`${k.ui.url}&resultMs=20000`);
    await k.page.waitForSelector('[data-screen="attract"]');
    await k.scan(chunks[0]!);
    const prompt = await k.page.waitForSelector('[data-screen="result"][data-verdict="chunk"]');
    expect(await prompt.textContent()).toContain('ĐÃ ĐỌC MÃ 1/2');
    expect(await prompt.textContent()).toContain('Hãy quét mã tiếp theo (còn: 2)');
    expect(await k.page.textContent('[data-testid="live"]')).toContain('ĐÃ ĐỌC MÃ 1/2');
    expect(rows()).toBe(0);
    await k.scan(chunks[1]!);
    // The helper's trust bundle names no SMART Health Card issuer: the whole card is judged (and
    // rejected as unknown-signer), recorded once.
    await k.page.waitForSelector('[data-screen="result"][data-verdict="reject"]');
    expect(rows()).toBe(1);
    expect([...k.kiosk.store.all()][0]).toMatchObject({ format: 'shc', reasons: ['unknown-signer'] });
  });

  it('"Cancel this card" on the prompt records the held chunk at once as one rejected check-in, shown as a reject', async () => {
    await k.page.goto(`${k.ui.url}&resultMs=20000`);
    await k.page.waitForSelector('[data-screen="attract"]');
    const before = rows();
    // Another card: a chunk of the one just completed on this scanner would be its re-read.
    const other = await issueShcChunks({ iss: SHC_EXAMPLE_ISS, nbf: Math.floor(Date.now() / 1000) - 90_000, fhirBundle: exampleBundle() }, shcSigner, 2);
    await k.scan(other[0]!);
    await k.page.waitForSelector('[data-screen="result"][data-verdict="chunk"]');
    expect(await k.page.textContent('[data-testid="chunk-cancel"]')).toBe('Hủy thẻ này');
    await k.page.click('[data-testid="chunk-cancel"]');
    await k.page.waitForSelector('[data-screen="result"][data-verdict="reject"]');
    expect(rows()).toBe(before + 1);
    expect([...k.kiosk.store.all()].at(-1)).toMatchObject({
      format: 'shc',
      verdict: 'reject',
      reasons: ['unreadable'],
      message: 'multi-QR SMART Health Card incomplete: chunk 2 of 2 is missing (chunk 1 read); cancelled on the screen; scan all 2 QR codes of the card one after the other',
    });
    // Only the prompt has the button.
    expect(await k.page.$('[data-testid="chunk-cancel"]')).toBeNull();
  });

  it('answers a wedge scan of a chunk with the prompt, not as a fault', async () => {
    const r = await k.api.submitScan({ text: chunks[1]!, source: 'wedge' });
    expect(r).toEqual({ ok: false, error: 'Code 2 of 2 read — scan the next one (1 still to scan).', chunk: { index: 2, total: 2, missing: [1] } });
    await k.page.click('[data-testid="lang"]');
    const prompt = await k.page.waitForSelector('[data-screen="result"][data-verdict="chunk"]');
    expect(await prompt.textContent()).toContain('CODE 2 OF 2 READ');
    expect(await prompt.textContent()).toContain('Scan the next one (still to scan: 1)');
  });
});
