/**
 * `checkpoint-kiosk verify` on SMART Health Cards through the real command (README "verify"): what
 * a card's content means reaches the JSON line — a positive lab result is referred with
 * `positive-test`, a payload naming a key twice is refused with the key named, and a one-chunk
 * card scanned with its CR/LF is the same card.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SHC_EXAMPLE_ISS, shcExamplePublicJwks } from '../helpers/keys.js';
import { exampleBundle, labResult, shcCard } from '../helpers/shc-cards.js';

const at = '2026-11-26T08:00:00Z';
const nowS = Math.floor(Date.parse(at) / 1000);
let dir: string;
let trust: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-verify-shc-'));
  trust = join(dir, 'trust.json');
  writeFileSync(trust, JSON.stringify({ version: 1, issuedAt: '2026-11-25T00:00:00Z', shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, name: 'Example', jwks: shcExamplePublicJwks() }] } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verify = (payload: string) => runCli(['verify', '--trust', trust, '--at', at, '--explain', '-'], payload);

describe('verify: SMART Health Cards', () => {
  it('refers a lab-result card whose test is positive (positive-test), accepts the negative one', async () => {
    const patient = exampleBundle().entry[0]!;
    const positive = await shcCard({ resourceType: 'Bundle', type: 'collection', entry: [patient, labResult('260373001', '2026-11-25T10:00:00Z')] }, nowS);
    const r = verify(`${positive}\r\n`);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ format: 'shc', verdict: 'refer', reasons: ['positive-test'], subject: { name: 'John B. Anyperson' } });
    expect(r.lines[0]?.messages).toEqual(['fhirBundle.entry[1] Observation: the test result is positive (detected)']);
    const negative = await shcCard({ resourceType: 'Bundle', type: 'collection', entry: [patient, labResult('260415000', '2026-11-25T10:00:00Z')] }, nowS);
    expect(verify(negative).lines[0]).toMatchObject({ verdict: 'accept', reasons: [] });
  });

  it('refuses a payload with a repeated key, naming it and where', async () => {
    const twice = await shcCard(exampleBundle(), nowS, { text: (j) => j.replace(/"status":"completed"/g, '"status":"entered-in-error","status":"completed"') });
    const r = verify(twice);
    expect(r.lines[0]).toMatchObject({ format: 'shc', verdict: 'reject', reasons: ['schema-invalid'] });
    expect(r.lines[0]?.messages).toEqual([expect.stringMatching(/^payload: duplicate key "status" at \$\.vc\.credentialSubject\.fhirBundle\.entry\[1\]\.resource /)]);
  });
});
