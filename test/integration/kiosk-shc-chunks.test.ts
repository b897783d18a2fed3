/**
 * The kiosk holds the chunks of a multi-QR SMART Health Card per scanner until all N have arrived
 * (README "run", docs/FORMATS.md), on a real kiosk.db through the real pipeline, with a fake clock
 * and timers: the chunks in any order become ONE check-in of the card; while chunks are missing
 * nothing is recorded and a `chunk` event asks for the next code; a chunk scanned again is
 * ignored. Held chunks that cannot become a card — the rest not there 60 s after the first, a
 * chunk of another card, another code on that scanner, the kiosk stopping — become one rejected
 * (`unreadable`) check-in naming the missing chunks: no scan is silently lost. Two scanners hold
 * their chunks apart. The duplicate window knows the card by what was signed, chunked or not. A
 * chunk of the card just completed, read again within 60 s, is that card again (a duplicate),
 * never a new held set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KioskService } from '../../src/app/kiosk.js';
import { CHUNK_WAIT_MS, type ChunkProgress } from '../../src/app/shc-chunk-hold.js';
import type { Outcome } from '../../src/core/pipeline.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import { issueShc, issueShcChunks } from '../../src/credentials/shc/issue.js';
import type { ScanEvent } from '../../src/shared/types.js';
import { openStore } from '../../src/store/index.js';
import type { CheckInStore } from '../../src/store/types.js';
import { FakeTime } from '../fakes/fake-time.js';
import { SHC_EXAMPLE_ISS } from '../helpers/keys.js';
import { exampleBundle, shcSigner } from '../helpers/shc-cards.js';
import { shcTrust } from '../helpers/shc.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';

let dir: string;
let time: FakeTime;
let store: CheckInStore;
let kiosk: KioskService;
let outcomes: Outcome[];
let prompts: ChunkProgress[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-chunks-'));
  time = new FakeTime(Date.parse('2026-11-26T08:00:00Z'));
  store = openStore({ dir, logger: silentLogger, clock: time });
  kiosk = new KioskService({
    store,
    scanners: [],
    trust: shcTrust(),
    config: { deviceId: 'dev-1', checkpointId: 'HN-01', direction: 'in' },
    clock: time,
    timers: time,
    ids: uuidv7Source(time),
    logger: silentLogger,
  });
  outcomes = [];
  prompts = [];
  kiosk.on('outcome', (o) => outcomes.push(o));
  kiosk.on('chunk', (p) => prompts.push(p));
});
afterEach(async () => {
  await kiosk.stop();
  rmSync(dir, { recursive: true, force: true });
});

const nbf = () => Math.floor(time.now() / 1000) - 86_400;
const card = (chunks?: number) => issueShcChunks({ iss: SHC_EXAMPLE_ISS, nbf: nbf(), fhirBundle: exampleBundle() }, shcSigner, chunks);
const scan = (text: string, deviceId = 'serial:/dev/ttyACM0'): ScanEvent => ({ source: 'serial', deviceId, text: `${text}\r\n`, receivedAt: time.now() });
/** Every check-in recorded, oldest first. */
const recorded = () => [...store.all()];

describe('kiosk: multi-QR SMART Health Card chunks', () => {
  it('holds chunks until all 3 arrived (any order), then records ONE check-in of the card; a re-scan of a held chunk is ignored', async () => {
    const [a, b, c] = (await card(3)) as [string, string, string];
    expect(await kiosk.submit(scan(b))).toBeUndefined();
    expect(prompts).toEqual([{ deviceId: 'serial:/dev/ttyACM0', index: 2, total: 3, missing: [1, 3] }]);
    time.advanceSync(5_000);
    expect(await kiosk.submit(scan(b))).toBeUndefined(); // the same chunk again: ignored
    expect(await kiosk.submit(scan(c))).toBeUndefined();
    expect(prompts.at(-1)).toEqual({ deviceId: 'serial:/dev/ttyACM0', index: 3, total: 3, missing: [1] });
    expect(prompts).toHaveLength(2);
    expect(recorded()).toHaveLength(0);
    expect(kiosk.heldChunks('serial:/dev/ttyACM0')).toEqual({ index: 3, total: 3, missing: [1] });
    time.advanceSync(5_000);
    const outcome = await kiosk.submit(scan(a));
    expect(outcome).toMatchObject({ kind: 'checkin', checkIn: { format: 'shc', verdict: 'accept', reasons: [], scannedAt: new Date(time.now()).toISOString() } });
    expect(outcomes).toHaveLength(1);
    expect(recorded()).toHaveLength(1);
    expect(kiosk.heldChunks('serial:/dev/ttyACM0')).toBeUndefined();
    // Nothing is left waiting: the bound passes without another check-in.
    await time.advance(CHUNK_WAIT_MS * 2);
    expect(recorded()).toHaveLength(1);
  });

  it('records the held chunks as ONE rejected check-in 60 s after the first chunk, naming the missing ones', async () => {
    const [a, , c] = (await card(3)) as [string, string, string];
    await kiosk.submit(scan(a));
    time.advanceSync(30_000);
    await kiosk.submit(scan(c));
    await time.advance(CHUNK_WAIT_MS - 30_000 - 1);
    expect(recorded()).toHaveLength(0);
    await time.advance(1);
    expect(outcomes).toHaveLength(1);
    const [o] = outcomes;
    expect(o).toMatchObject({ kind: 'checkin', checkIn: { format: 'shc', verdict: 'reject', reasons: ['unreadable'] } });
    expect(o?.verdict.display.messages).toEqual([
      'multi-QR SMART Health Card incomplete: chunk 2 of 3 is missing (chunks 1 and 3 read); the rest did not come within 60 s of the first; scan all 3 QR codes of the card one after the other',
    ]);
    expect(recorded()).toHaveLength(1);
    // Read when its last chunk was.
    expect(o?.kind === 'checkin' && o.checkIn.scannedAt).toBe(new Date(Date.parse('2026-11-26T08:00:30Z')).toISOString());
  });

  it('a chunk of another card (another N, or a C held with other digits) rejects the held ones and starts the next card', async () => {
    const three = (await card(3)) as [string, string, string];
    const two = (await card(2)) as [string, string];
    await kiosk.submit(scan(three[0]));
    // The scan itself is held (undefined: nothing of its own recorded); the held chunks are rejected.
    expect(await kiosk.submit(scan(two[1]))).toBeUndefined();
    const released = outcomes.at(-1);
    expect(released).toMatchObject({ kind: 'checkin', checkIn: { verdict: 'reject', reasons: ['unreadable'] } });
    expect(released?.verdict.display.messages[0]).toBe(
      'multi-QR SMART Health Card incomplete: chunks 2 and 3 of 3 are missing (chunk 1 read); chunk 2 of 2 belongs to another card (this card has 3 chunks); scan all 3 QR codes of the card one after the other',
    );
    expect(prompts.at(-1)).toEqual({ deviceId: 'serial:/dev/ttyACM0', index: 2, total: 2, missing: [1] });
    // The same C again with other digits: another card of 2 (signed again, another signature).
    const other = (await card(2)) as [string, string];
    await kiosk.submit(scan(other[1]));
    expect(outcomes.at(-1)?.verdict.display.messages[0]).toMatch(/^multi-QR SMART Health Card incomplete: chunk 1 of 2 is missing \(chunk 2 read\); chunk 2 of 2 came twice with different content/);
    expect(await kiosk.submit(scan(other[0]))).toMatchObject({ kind: 'checkin', checkIn: { verdict: 'accept' } });
    expect(recorded().map((c) => c.verdict)).toEqual(['reject', 'reject', 'accept']);
  });

  it('another code on the same scanner rejects the held chunks first, then is recorded itself; another scanner holds its own', async () => {
    const [a, b] = (await card(2)) as [string, string];
    await kiosk.submit(scan(a, 'hid:0581:0115'));
    await kiosk.submit(scan(a));
    // The other scanner's chunks are untouched by this scanner's next code.
    expect(await kiosk.submit(scan(AN))).toMatchObject({ kind: 'checkin', checkIn: { format: 'cccd' } });
    expect(recorded().map((c) => [c.format, c.verdict])).toEqual([
      ['shc', 'reject'],
      ['cccd', 'accept'],
    ]);
    expect(outcomes[0]?.verdict.display.messages[0]).toContain('another code was scanned before the rest');
    expect(await kiosk.submit(scan(b, 'hid:0581:0115'))).toMatchObject({ kind: 'checkin', checkIn: { format: 'shc', verdict: 'accept' } });
  });

  it('the duplicate window knows the card by what was signed: chunked again, or as one QR code', async () => {
    const claims = { iss: SHC_EXAMPLE_ISS, nbf: nbf(), fhirBundle: exampleBundle() };
    const [a, b, c] = (await issueShcChunks(claims, shcSigner, 3)) as [string, string, string];
    for (const t of [c, a, b]) await kiosk.submit(scan(t));
    const first = outcomes[0];
    expect(first?.kind).toBe('checkin');
    const [x, y] = (await issueShcChunks(claims, shcSigner, 2)) as [string, string];
    await kiosk.submit(scan(x));
    expect(await kiosk.submit(scan(y))).toMatchObject({ kind: 'duplicate', of: first?.kind === 'checkin' ? first.checkIn.id : '' });
    expect(await kiosk.submit(scan(await issueShc(claims, shcSigner)))).toMatchObject({ kind: 'duplicate' });
    expect(recorded()).toHaveLength(1);
  });

  it('a chunk of the card just accepted, read again within 60 s, is that card again (a duplicate): no new held set, no rejected check-in', async () => {
    const [a, b, c] = (await card(3)) as [string, string, string];
    for (const t of [a, b, c]) await kiosk.submit(scan(t));
    const first = outcomes[0];
    expect(first).toMatchObject({ kind: 'checkin', checkIn: { verdict: 'accept' } });
    const id = first?.kind === 'checkin' ? first.checkIn.id : '';
    prompts.length = 0;
    // The scanner reads the last code twice; later the person shows it again.
    time.advanceSync(200);
    expect(await kiosk.submit(scan(c))).toMatchObject({ kind: 'duplicate', of: id, verdict: { verdict: 'accept' } });
    time.advanceSync(50_000);
    expect(await kiosk.submit(scan(a))).toMatchObject({ kind: 'duplicate', of: id });
    // Each re-read restarts the 60 s: the whole card shown again straddling the first bound is still one card.
    time.advanceSync(50_000);
    expect(await kiosk.submit(scan(b))).toMatchObject({ kind: 'duplicate', of: id });
    expect(prompts).toEqual([]);
    expect(kiosk.heldChunks('serial:/dev/ttyACM0')).toBeUndefined();
    await time.advance(CHUNK_WAIT_MS * 2);
    expect(recorded()).toHaveLength(1);
    expect(time.timerCount).toBe(0);
    // Past the 60 s a chunk is held again as the start of a card; another scanner never knew the card.
    await kiosk.submit(scan(c));
    expect(prompts).toEqual([{ deviceId: 'serial:/dev/ttyACM0', index: 3, total: 3, missing: [1, 2] }]);
    await kiosk.submit(scan(a, 'hid:0581:0115'));
    expect(prompts.at(-1)).toEqual({ deviceId: 'hid:0581:0115', index: 1, total: 3, missing: [2, 3] });
  });

  it('the first chunk of another card ends the memory of the card completed before it', async () => {
    const [a, b] = (await card(2)) as [string, string];
    // Another card (another nbf: other digits in every chunk, not only the signature's).
    time.advanceSync(2_000);
    const [x, y] = (await card(2)) as [string, string];
    expect(x).not.toBe(a);
    for (const t of [a, b, x, y]) await kiosk.submit(scan(t));
    expect(recorded().map((c) => c.verdict)).toEqual(['accept', 'accept']);
    prompts.length = 0;
    // The second card's chunk again: its duplicate. The first card's chunk: no longer remembered, a new held set.
    expect(await kiosk.submit(scan(x))).toMatchObject({ kind: 'duplicate' });
    expect(await kiosk.submit(scan(a))).toBeUndefined();
    expect(prompts).toEqual([{ deviceId: 'serial:/dev/ttyACM0', index: 1, total: 2, missing: [2] }]);
  });

  it('a line holding a whole card\'s chunks is the card at once (a held card released first); one that is no whole card is one rejected check-in naming why', async () => {
    const [a, b, c] = (await card(3)) as [string, string, string];
    const [x] = (await card(2)) as [string, string];
    await kiosk.submit(scan(x)); // held: the line is another code for it
    const whole = await kiosk.submit(scan(`${b} ${c} ${a}`));
    expect(whole).toMatchObject({ kind: 'checkin', verdict: { verdict: 'accept' } });
    expect(recorded().map((r) => r.verdict)).toEqual(['reject', 'accept']);
    expect(outcomes[0]?.verdict.display.messages[0]).toContain('chunk 2 of 2 is missing (chunk 1 read); another code was scanned before the rest');
    // A chunk of that card read again: its duplicate, as after chunks scanned one by one.
    expect(await kiosk.submit(scan(b))).toMatchObject({ kind: 'duplicate' });
    const part = await kiosk.submit(scan(`${a} ${c}`));
    expect(part).toMatchObject({ kind: 'checkin', verdict: { verdict: 'reject', reasons: ['unreadable'] } });
    expect(part?.verdict.display.messages).toEqual(['multi-QR SMART Health Card incomplete: chunk 2 of 3 is missing (chunks 1 and 3 read); the card is read only whole; give all 3 of its QR codes']);
    const mixed = await kiosk.submit(scan(`${a} shc:/5/3/5676`));
    expect(mixed?.verdict.display.messages).toEqual(['text 2 of 2: not a SMART Health Card chunk: the header shc:/5/3/ numbers chunk 5 of only 3 (the chunk number is greater than the number of chunks)']);
    expect(prompts).toHaveLength(1);
    expect(kiosk.heldChunks('serial:/dev/ttyACM0')).toBeUndefined();
  });

  it('a chunk with other text after it, or two single-QR cards on one line: named as not one chunk / not one QR code', async () => {
    const [a] = (await card(3)) as [string, string, string];
    const [single] = await card(1);
    const withText = await kiosk.submit(scan(`${a} hello world`));
    expect(withText?.verdict.display.messages).toEqual([expect.stringMatching(/^not one chunk: chunk 1 of 3 of a multi-QR SMART Health Card is followed by white space and other text/)]);
    const two = await kiosk.submit(scan(`${single} ${single}`));
    expect(two?.verdict.display.messages).toEqual([expect.stringMatching(/^not one QR code: a SMART Health Card code and 1 more SMART Health Card code/)]);
    expect(prompts).toHaveLength(0);
  });

  it('cancel (the screen\'s button) records the held chunks at once as one rejected check-in per scanner, as the 60 s would', async () => {
    expect(await kiosk.cancelHeldChunks()).toBe(0);
    const [a, b, c] = (await card(3)) as [string, string, string];
    const [x, y] = (await card(2)) as [string, string];
    // A card completed before on the second scanner: still remembered after the cancel.
    await kiosk.submit(scan(x, 'hid:0581:0115'));
    await kiosk.submit(scan(y, 'hid:0581:0115'));
    await kiosk.submit(scan(a));
    await kiosk.submit(scan(c));
    expect(await kiosk.cancelHeldChunks()).toBe(1);
    const all = recorded();
    expect(all.map((r) => [r.verdict, r.reasons])).toEqual([
      ['accept', []],
      ['reject', ['unreadable']],
    ]);
    const message = 'multi-QR SMART Health Card incomplete: chunk 2 of 3 is missing (chunks 1 and 3 read); cancelled on the screen; scan all 3 QR codes of the card one after the other';
    expect(all[1]?.message).toBe(message);
    expect(outcomes.at(-1)).toMatchObject({ kind: 'checkin', message, verdict: { verdict: 'reject', display: { messages: [message] } } });
    expect(kiosk.heldChunks('serial:/dev/ttyACM0')).toBeUndefined();
    // Nothing is left to time out; the other scanner's completed card still folds a re-read.
    time.advanceSync(CHUNK_WAIT_MS / 2);
    expect(recorded()).toHaveLength(2);
    expect(await kiosk.submit(scan(y, 'hid:0581:0115'))).toMatchObject({ kind: 'duplicate' });
    // The cancelled card's chunk read again starts a new held set (its card is not complete).
    expect(await kiosk.submit(scan(b))).toBeUndefined();
    expect(kiosk.heldChunks('serial:/dev/ttyACM0')).toEqual({ index: 2, total: 3, missing: [1, 3] });
  });

  it('stopping with chunks held records them as one rejected check-in before the store closes', async () => {
    const [a] = (await card(3)) as [string, string, string];
    await kiosk.submit(scan(a));
    await kiosk.stop();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.verdict.display.messages[0]).toContain('chunks 2 and 3 of 3 are missing (chunk 1 read); the kiosk stopped before the rest came');
    const reopened = openStore({ dir, logger: silentLogger, clock: time });
    expect([...reopened.all()].map((c) => [c.format, c.verdict, c.reasons])).toEqual([['shc', 'reject', ['unreadable']]]);
    reopened.close();
    expect(time.timerCount).toBe(0);
  });
});
