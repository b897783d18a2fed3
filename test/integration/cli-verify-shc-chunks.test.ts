/**
 * `checkpoint-kiosk verify` on a multi-QR SMART Health Card (README "verify", docs/FORMATS.md):
 * the chunks `shc:/C/N/…` of one card given together — as arguments' text separated by spaces, or
 * on standard input one per line, in any order — are assembled and verified as one card, the
 * assembly the first `--explain` step. Chunks that are not one whole card (one missing, another
 * card's, mixed with another code) are `unreadable` naming what is wrong, exit 0; a chunk alone
 * names the missing ones. The card is made by the project's own issuer (issueShcChunks), 3 chunks,
 * and is longer than one QR code holds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SHC_EXAMPLE_ISS, shcExamplePublicJwks, shcExampleSigningKeys } from '../helpers/keys.js';
import { exampleBundle } from '../helpers/shc-cards.js';
import { issueShcChunks } from '../../src/credentials/shc/issue.js';
import { LIMITS } from '../../src/credentials/types.js';

const at = '2026-11-26T08:00:00Z';
const nowS = Math.floor(Date.parse(at) / 1000);
const signer = shcExampleSigningKeys()[0]!;
let dir: string;
let trust: string;
let chunks: string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-verify-shc-chunks-'));
  trust = join(dir, 'trust.json');
  writeFileSync(trust, JSON.stringify({ version: 1, issuedAt: '2026-11-25T00:00:00Z', shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, name: 'Example', jwks: shcExamplePublicJwks() }] } }));
  // 2,400 random bytes in the Patient: a card too long for one QR code, as chunked cards are.
  const bundle = exampleBundle();
  bundle.entry[0]!.resource.identifier = [{ system: 'urn:test', value: randomBytes(2400).toString('base64') }];
  chunks = await issueShcChunks({ iss: SHC_EXAMPLE_ISS, nbf: nowS - 86_400, fhirBundle: bundle }, signer, 3);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verifyArg = (payload: string) => runCli(['verify', '--trust', trust, '--at', at, '--explain', payload]);
const verifyStdin = (input: string) => runCli(['verify', '--trust', trust, '--at', at, '--explain', '-'], input);

describe('verify: a multi-QR SMART Health Card', () => {
  it('assembles 3 chunks given in any order (spaces, or lines on stdin) and verifies the card', () => {
    const [a, b, c] = chunks as [string, string, string];
    expect(a.length + b.length + c.length).toBeGreaterThan(LIMITS.maxTextChars);
    for (const r of [verifyArg(`${c} ${a} ${b}`), verifyStdin(`${b}\r\n${c}\r\n\r\n${a}\r\n`)]) {
      expect(r.code).toBe(0);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toMatchObject({ format: 'shc', verdict: 'accept', reasons: [], subject: { name: 'John B. Anyperson' } });
      const steps = r.lines[0]?.steps as { step: string; ok: boolean; detail?: string }[];
      expect(steps[0]).toEqual({ step: 'assemble', ok: true, detail: expect.stringMatching(/^chunks 1 to 3 of 3 joined in order \(\d+ JWS characters\)$/) });
      expect(steps.map((s) => s.step)).toContain('signature');
      expect(steps.every((s) => s.ok)).toBe(true);
    }
  });

  it('refuses an incomplete card, naming the missing chunk (exit 0: a verdict)', () => {
    const r = verifyArg(`${chunks[2]} ${chunks[0]}`);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ format: 'shc', verdict: 'reject', reasons: ['unreadable'] });
    expect(r.lines[0]?.messages).toEqual(['multi-QR SMART Health Card incomplete: chunk 2 of 3 is missing (chunks 1 and 3 read); the card is read only whole; give all 3 of its QR codes']);
    expect(r.lines[0]?.steps).toEqual([{ step: 'assemble', ok: false, detail: expect.stringContaining('chunk 2 of 3 is missing') }]);
  });

  it('refuses chunks of another card, and a chunk mixed with another code on stdin (not a usage error)', async () => {
    const two = await issueShcChunks({ iss: SHC_EXAMPLE_ISS, nbf: nowS - 86_400, fhirBundle: exampleBundle() }, signer, 2);
    const mixed = verifyArg(`${chunks[0]} ${two[1]} ${chunks[1]} ${chunks[2]}`);
    expect(mixed.lines[0]).toMatchObject({ verdict: 'reject', reasons: ['unreadable'], messages: [expect.stringContaining('text 2 of 4: chunk 2 of 2 belongs to another card (this card has 3 chunks)')] });
    const withId = verifyStdin(`${chunks[0]}\n079090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021\n`);
    expect(withId.code).toBe(0);
    expect(withId.lines[0]).toMatchObject({ format: 'shc', verdict: 'reject', reasons: ['unreadable'], messages: [expect.stringMatching(/^text 2 of 2 is not a chunk of a multi-QR SMART Health Card/)] });
  });

  it('answers a chunk alone as before, now naming the missing chunks; several other lines stay a usage error', () => {
    const r = verifyStdin(`${chunks[1]}\n`);
    expect(r.lines[0]).toMatchObject({ format: 'shc', verdict: 'reject', reasons: ['unreadable'] });
    expect(r.lines[0]?.messages).toEqual([expect.stringMatching(/^multi-QR SMART Health Card: chunk 2 of 3 read alone, chunks 1 and 3 of 3 are missing; all 3 QR codes of the card must be scanned/)]);
    expect(verifyStdin('not a credential\nnot one either\n').code).toBe(2);
  });
});
