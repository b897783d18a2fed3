import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompactSign } from 'jose';
import type { TrustBundleJson } from '../../src/shared/trust.js';
import { TrustBundleError } from '../../src/credentials/trust/errors.js';
import { generateRootKey, signTrustBundle, verifySignedTrustBundle } from '../../src/credentials/trust/envelope.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';

const bundle: TrustBundleJson = {
  version: 1,
  issuedAt: '2026-11-25T00:00:00Z',
  status: { entries: [{ id: '001090000001', status: 'f1', until: '2026-12-01T00:00:00Z' }] },
};

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrustBundleError);
  return (err as TrustBundleError).message;
}

const b64url = (text: string) => Buffer.from(text).toString('base64url');

describe('signed trust bundle', () => {
  const root = generateRootKey();

  it('round-trips: sign with the root key, verify with the pinned public JWK', async () => {
    const jws = await signTrustBundle(bundle, root.privateKey, 'root-1');
    expect(jws.split('.')).toHaveLength(3);
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'ES256', kid: 'root-1' });
    const verified = await verifySignedTrustBundle(jws, root.publicJwk);
    expect(verified).toEqual(bundle);
    expect(parseTrustBundle(verified).statuses('001090000001', new Date('2026-11-30T00:00:00Z')).map((e) => e.status)).toEqual(['f1']);
  });

  it('publishes a public JWK without the private part', () => {
    expect(root.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(root.publicJwk.d).toBeUndefined();
    expect(typeof root.publicJwk.kid).toBe('string');
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = (await signTrustBundle(bundle, root.privateKey)).split('.');
    const forged = `${h}.${b64url(JSON.stringify({ ...bundle, status: { entries: [] } }))}.${s}`;
    expect(await refusal(verifySignedTrustBundle(forged, root.publicJwk))).toContain('signature does not verify');
  });

  it('refuses a bundle signed by another key', async () => {
    const other = generateRootKey();
    const jws = await signTrustBundle(bundle, other.privateKey);
    expect(await refusal(verifySignedTrustBundle(jws, root.publicJwk))).toContain('signature does not verify');
  });

  it('refuses alg none and other algorithms', async () => {
    const none = `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(bundle))}.`;
    expect(await refusal(verifySignedTrustBundle(none, root.publicJwk))).toContain('algorithm "none" not allowed');
    const hs = await new CompactSign(Buffer.from(JSON.stringify(bundle)))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new Uint8Array(32));
    expect(await refusal(verifySignedTrustBundle(hs, root.publicJwk))).toContain('algorithm "HS256" not allowed');
  });

  it('refuses malformed input', async () => {
    expect(await refusal(verifySignedTrustBundle('abc', root.publicJwk))).toContain('three dot-separated parts');
    expect(await refusal(verifySignedTrustBundle('!!.e30.AA', root.publicJwk))).toContain('malformed JWS header');
    const jws = await signTrustBundle(bundle, root.privateKey);
    const [h, p] = jws.split('.');
    expect(await refusal(verifySignedTrustBundle(`${h}.${p}.AAAA`, root.publicJwk))).toMatch(/signature does not verify|malformed JWS/);
  });

  it('refuses a correctly signed payload that is not JSON or not a valid bundle', async () => {
    const notJson = await new CompactSign(Buffer.from('not json')).setProtectedHeader({ alg: 'ES256' }).sign(root.privateKey);
    expect(await refusal(verifySignedTrustBundle(notJson, root.publicJwk))).toContain('payload is not UTF-8 JSON');
    const invalid = await new CompactSign(Buffer.from(JSON.stringify({ version: 2, issuedAt: 'x' })))
      .setProtectedHeader({ alg: 'ES256' })
      .sign(root.privateKey);
    expect(await refusal(verifySignedTrustBundle(invalid, root.publicJwk))).toBe(
      'signed trust bundle refused: version: unsupported version 2 (expected 1)',
    );
  });

  it('refuses a correctly signed header or payload with a key repeated, naming the key', async () => {
    // Signed over the raw texts: jose would serialise its own objects, without the repeat.
    const raw = (header: string, payload: string) => {
      const input = `${b64url(header)}.${b64url(payload)}`;
      return `${input}.${sign('sha256', Buffer.from(input), { key: root.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    };
    const good = JSON.stringify(bundle);
    await expect(verifySignedTrustBundle(raw('{"alg":"ES256"}', good), root.publicJwk)).resolves.toEqual(bundle);
    expect(await refusal(verifySignedTrustBundle(raw('{"alg":"ES256"}', good.replace('{', '{"version":1,')), root.publicJwk))).toBe(
      'signed trust bundle refused: payload: duplicate key "version" at $ (each key may appear once in an object: JSON keeps only the last, silently)',
    );
    expect(await refusal(verifySignedTrustBundle(raw('{"alg":"none","alg":"ES256"}', good), root.publicJwk))).toBe(
      'signed trust bundle refused: malformed JWS header: duplicate key "alg" at $ (each key may appear once in an object: JSON keeps only the last, silently)',
    );
  });

  it('refuses an unusable pinned key, and never signs an invalid bundle', async () => {
    const jws = await signTrustBundle(bundle, root.privateKey);
    expect(await refusal(verifySignedTrustBundle(jws, { kty: 'RSA', n: 'x', e: 'AQAB' }))).toContain('pinned root key is unusable');
    const bad = { ...bundle, issuedAt: 'never' } as TrustBundleJson;
    expect(await refusal(signTrustBundle(bad, root.privateKey))).toContain('issuedAt: not a valid ISO 8601 time');
  });
});
