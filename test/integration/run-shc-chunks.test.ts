/**
 * `checkpoint-kiosk run` with a multi-QR SMART Health Card scanned chunk by chunk (README "run"):
 * a `sim:FILE` scanner replays the 3 chunk lines of one card (out of order) → exactly one
 * `checkin` of the card, with a `chunk` event per chunk still waiting for the rest; the lone chunk
 * of another card at the end of the input → one rejected `checkin` when the input ends, naming
 * the missing chunks. A chunk of the card just accepted read again is a `duplicate` of its
 * check-in, never a new held set. All chunks on one line (as `verify` takes them) are the card at
 * once; a line of chunks that is no whole card is one rejected check-in. A rejected check-in of
 * held chunks carries the message naming the missing ones (`message`, on stdout and in `export`);
 * other check-ins carry none. SIGTERM with a chunk held records it the same way before `stopped`. (The
 * 60 s bound itself is tested with a fake clock in kiosk-shc-chunks.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { SHC_EXAMPLE_ISS, shcExamplePublicJwks, shcExampleSigningKeys } from '../helpers/keys.js';
import { exampleBundle } from '../helpers/shc-cards.js';
import { issueShcChunks } from '../../src/credentials/shc/issue.js';

const signer = shcExampleSigningKeys()[0]!;
let dir: string;
let trust: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-run-shc-chunks-'));
  trust = join(dir, 'trust.json');
  writeFileSync(trust, JSON.stringify({ version: 1, issuedAt: '2026-11-25T00:00:00Z', shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, name: 'Example', jwks: shcExamplePublicJwks() }] } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A card of `n` chunks valid now (nbf a day ago). */
const chunksOf = (n: number) => issueShcChunks({ iss: SHC_EXAMPLE_ISS, nbf: Math.floor(Date.now() / 1000) - 86_400, fhirBundle: exampleBundle() }, signer, n);

describe('run: a multi-QR SMART Health Card scanned chunk by chunk', () => {
  it('3 chunk lines → exactly one check-in; a lone chunk of another card → one rejected check-in at the end of input', async () => {
    const [a, b, c] = (await chunksOf(3)) as [string, string, string];
    // Its last chunk: the one holding the signature (the same claims signed again differ only there;
    // a chunk 1 or 2 of it would be the same digits as this card's, read again).
    const [, , other] = (await chunksOf(3)) as [string, string, string];
    const scans = join(dir, 'scans.txt');
    writeFileSync(scans, `${c}\r\n${a}\r\n${b}\r\n${other}\r\n`);
    const incomplete =
      "multi-QR SMART Health Card incomplete: chunks 1 and 2 of 3 are missing (chunk 3 read); the scanner's input ended before the rest came; scan all 3 QR codes of the card one after the other";
    const r = runCli(['run', '--data-dir', join(dir, 'data'), '--trust', trust, '--scanner', `sim:${scans}?intervalMs=20`]);
    expect(r.code).toBe(0);
    const events = r.lines.filter((l) => l.event !== 'scanner');
    // The scanner holding the chunks is named.
    expect(events.filter((l) => l.event === 'chunk').every((l) => l.deviceId === 'sim:scans.txt')).toBe(true);
    expect(events).toEqual([
      { event: 'ready' },
      { event: 'chunk', deviceId: expect.any(String), index: 3, total: 3, missing: [1, 2] },
      { event: 'chunk', deviceId: expect.any(String), index: 1, total: 3, missing: [2] },
      { event: 'checkin', id: expect.any(String), format: 'shc', verdict: 'accept', reasons: [], scannedAt: expect.any(String) },
      { event: 'chunk', deviceId: expect.any(String), index: 3, total: 3, missing: [1, 2] },
      // The message naming the missing chunks (the kiosk refused the scan itself): on stdout and in export.
      { event: 'checkin', id: expect.any(String), format: 'shc', verdict: 'reject', reasons: ['unreadable'], scannedAt: expect.any(String), message: incomplete },
      { event: 'stopped' },
    ]);
    const exported = runCli(['export', '--data-dir', join(dir, 'data')]);
    expect(exported.lines.map((l) => [l.format, l.verdict, l.message])).toEqual([
      ['shc', 'accept', undefined],
      ['shc', 'reject', incomplete],
    ]);
  });

  it('a chunk of the card just accepted read again (stdin) → a duplicate of its check-in, no new chunk event, nothing rejected', async () => {
    const [a, b, c] = (await chunksOf(3)) as [string, string, string];
    const r = runCli(['run', '--data-dir', join(dir, 'reread'), '--trust', trust, '--scanner', 'stdin'], `${a}\n${b}\n${c}\n${c}\n`);
    expect(r.code).toBe(0);
    const events = r.lines.filter((l) => l.event !== 'scanner');
    const id = events.find((l) => l.event === 'checkin')?.id;
    expect(events).toEqual([
      { event: 'ready' },
      { event: 'chunk', deviceId: expect.any(String), index: 1, total: 3, missing: [2, 3] },
      { event: 'chunk', deviceId: expect.any(String), index: 2, total: 3, missing: [3] },
      { event: 'checkin', id: expect.any(String), format: 'shc', verdict: 'accept', reasons: [], scannedAt: expect.any(String) },
      { event: 'duplicate', of: id, verdict: 'accept', reasons: [] },
      { event: 'stopped' },
    ]);
    expect(runCli(['export', '--data-dir', join(dir, 'reread')]).lines.map((l) => [l.format, l.verdict])).toEqual([['shc', 'accept']]);
  });

  it('all chunks of a card on one line (as verify takes them) → one check-in of the card; a line of chunks that is no whole card → one rejected check-in', async () => {
    const [a, b, c] = (await chunksOf(3)) as [string, string, string];
    const data = join(dir, 'one-line');
    const missing = 'multi-QR SMART Health Card incomplete: chunk 3 of 3 is missing (chunks 1 and 2 read); the card is read only whole; give all 3 of its QR codes';
    const r = runCli(['run', '--data-dir', data, '--trust', trust, '--scanner', 'stdin'], `${c} ${a}\t${b}\n${a} ${b}\n`);
    expect(r.code).toBe(0);
    const events = r.lines.filter((l) => l.event !== 'scanner');
    expect(events).toEqual([
      { event: 'ready' },
      { event: 'checkin', id: expect.any(String), format: 'shc', verdict: 'accept', reasons: [], scannedAt: expect.any(String) },
      { event: 'checkin', id: expect.any(String), format: 'shc', verdict: 'reject', reasons: ['unreadable'], scannedAt: expect.any(String), message: missing },
      { event: 'stopped' },
    ]);
    expect(runCli(['export', '--data-dir', data]).lines.map((l) => [l.format, l.verdict, l.message])).toEqual([
      ['shc', 'accept', undefined],
      ['shc', 'reject', missing],
    ]);
  });

  it('SIGTERM with a chunk held records it as one rejected check-in before stopping', async () => {
    const [a] = (await chunksOf(2)) as [string, string];
    const p = startCli(['run', '--data-dir', join(dir, 'term'), '--trust', trust, '--scanner', 'stdin']);
    await p.waitFor((l) => l.event === 'ready');
    p.child.stdin?.write(`${a}\n`);
    await p.waitFor((l) => l.event === 'chunk');
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    const tail = p.lines.filter((l) => l.event === 'checkin' || l.event === 'stopped');
    expect(tail).toEqual([
      {
        event: 'checkin',
        id: expect.any(String),
        format: 'shc',
        verdict: 'reject',
        reasons: ['unreadable'],
        scannedAt: expect.any(String),
        message: 'multi-QR SMART Health Card incomplete: chunk 2 of 2 is missing (chunk 1 read); the kiosk stopped before the rest came; scan all 2 QR codes of the card one after the other',
      },
      { event: 'stopped' },
    ]);
  });
});
