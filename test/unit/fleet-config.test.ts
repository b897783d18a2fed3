import { generateKeyPairSync, sign } from 'node:crypto';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { RemoteConfigError, parseRemoteConfig, policyOf } from '../../src/fleet/remote-config.js';
import { signConfigProfile, verifyConfigProfile } from '../../src/fleet/signed-profile.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { publicJwkOf } from '../../src/credentials/trust/envelope.js';

const root = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rootJwk = publicJwkOf(root.publicKey) as Record<string, unknown>;

describe('remote configuration', () => {
  it('accepts every documented key and names the bad one otherwise', () => {
    const full = { policy: { identityOnly: 'refer' }, checkpoint: 'G-1', direction: 'out', profile: 'booth', resultTimeoutSeconds: 8, language: 'vi', heartbeatSeconds: 30, duplicateWindowMinutes: 0, clockToleranceSeconds: 120 };
    expect(parseRemoteConfig(full)).toEqual(full);
    const bad: [unknown, RegExp][] = [
      [{ dupWindow: 1 }, /config\.dupWindow: is not a configuration key/],
      [{ langauge: 'en' }, /config\.langauge: is not a configuration key \(did you mean "language"\?\)/],
      [{ direction: 'up' }, /config\.direction/],
      [{ heartbeatSeconds: 1 }, /heartbeatSeconds: must be a whole number from 5/],
      [{ duplicateWindowMinutes: 2.5 }, /duplicateWindowMinutes/],
      [{ policy: { identityOnly: 'maybe' } }, /identityOnly/],
      [{ policy: { nope: 1 } }, /nope/],
      [{ checkpoint: 'a b' }, /checkpoint/],
      [[], /must be a JSON object/],
      [{ policy: { statusActions: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`s${i}`, 'refer'])) } }, /larger than/],
    ];
    for (const [input, re] of bad) expect(() => parseRemoteConfig(input), JSON.stringify(input).slice(0, 60)).toThrow(re);
  });

  it('derives the policy: the profile policy replaces the base, its duplicate window wins', () => {
    const base = { ...DEFAULT_POLICY, duplicateWindowMinutes: 9 };
    expect(policyOf({}, base)).toBe(base);
    expect(policyOf({ duplicateWindowMinutes: 0 }, base).duplicateWindowMinutes).toBe(0);
    const p = policyOf({ policy: { identityOnly: 'refer', duplicateWindowMinutes: 3 }, duplicateWindowMinutes: 1 }, base);
    expect(p).toMatchObject({ identityOnly: 'refer', duplicateWindowMinutes: 1 });
  });
});

describe('signed configuration profile', () => {
  const profile = { deviceId: 'dev-1', version: 4, issuedAt: '2026-11-29T10:00:00.000Z', config: { duplicateWindowMinutes: 2 } };

  it('verifies a profile signed by the pinned root key for this device', async () => {
    const jws = await signConfigProfile(profile, root.privateKey);
    await expect(verifyConfigProfile(jws, rootJwk, 'dev-1')).resolves.toEqual(profile);
  });

  it('refuses another key, another device, tampering, unknown members and bad config', async () => {
    const jws = await signConfigProfile(profile, root.privateKey);
    await expect(verifyConfigProfile(await signConfigProfile(profile, other.privateKey), rootJwk, 'dev-1')).rejects.toThrow(/signature/);
    await expect(verifyConfigProfile(jws, rootJwk, 'dev-2')).rejects.toThrow(/another device/);
    const [h, , sig] = jws.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ v: 1, ...profile, version: 99 })).toString('base64url')}.${sig}`;
    await expect(verifyConfigProfile(forged, rootJwk, 'dev-1')).rejects.toThrow(/signature/);
    const raw = (payload: unknown) => new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'config-profile+jws' }).sign(root.privateKey);
    await expect(verifyConfigProfile(await raw({ v: 1, ...profile, extra: 1 }), rootJwk, 'dev-1')).rejects.toThrow(/unknown member "extra"/);
    await expect(verifyConfigProfile(await raw({ v: 1, ...profile, config: { bogus: true } }), rootJwk, 'dev-1')).rejects.toThrow(RemoteConfigError);
    await expect(verifyConfigProfile(await raw({ v: 1, ...profile, version: -1 }), rootJwk, 'dev-1')).rejects.toThrow(/version/);
    await expect(verifyConfigProfile('x'.repeat(100_000), rootJwk, 'dev-1')).rejects.toThrow(RemoteConfigError);
    await expect(signConfigProfile({ ...profile, config: { bogus: 1 } as never }, root.privateKey)).rejects.toThrow(/bogus/);
  });

  it('refuses a correctly signed header or payload with a key repeated, naming the key', async () => {
    // Signed over the raw texts: jose would serialise its own objects, without the repeat.
    const raw = (header: string, payload: string) => {
      const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
      return `${input}.${sign('sha256', Buffer.from(input), { key: root.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    };
    const header = '{"alg":"ES256","typ":"config-profile+jws"}';
    const payload = JSON.stringify({ v: 1, ...profile });
    await expect(verifyConfigProfile(raw(header, payload), rootJwk, 'dev-1')).resolves.toEqual(profile);
    await expect(verifyConfigProfile(raw(header, payload.replace('"config":{', '"config":{"duplicateWindowMinutes":30,')), rootJwk, 'dev-1')).rejects.toThrow(
      'configuration profile refused: payload: duplicate key "duplicateWindowMinutes" at $.config (each key may appear once in an object: JSON keeps only the last, silently)',
    );
    await expect(verifyConfigProfile(raw('{"alg":"ES256","typ":"x","typ":"config-profile+jws"}', payload), rootJwk, 'dev-1')).rejects.toThrow(
      'configuration profile refused: malformed JWS header: duplicate key "typ" at $',
    );
  });
});
