/**
 * The update feed as electron-updater reads it: electron-updater's own GenericProvider (run in
 * Node with a plain http executor — only the download into an Electron app needs the binary)
 * fetches latest-linux.yml from a real central server, sees the staged-rollout percentage set by
 * `central release add/set`, and the file it resolves downloads with the advertised SHA-512.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpExecutor } from 'builder-util-runtime';
import type { RequestOptions } from 'node:http';
import { GenericProvider } from 'electron-updater/out/providers/GenericProvider.js';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { runCli } from '../helpers/cli.js';
import { randomAppImage } from '../helpers/appimage.js';

class NodeExecutor extends HttpExecutor<http.ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: http.IncomingMessage) => void): http.ClientRequest {
    return http.request(options, callback);
  }
}

let dir: string;
let server: CentralServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-feed-'));
  server = await startCentral({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock });
  process.env.TEST_UPDATER_ARCH = 'x64';
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function provider() {
  return new GenericProvider(
    { provider: 'generic', url: `${server.url}/updates` },
    { channel: null, isAddNoCacheQuery: false } as never,
    { executor: new NodeExecutor(), platform: 'linux', isUseMultipleRangeRequest: false } as never,
  );
}

describe('update feed', () => {
  it('answers electron-updater with the release and its staged percentage', async () => {
    await expect(provider().getLatestVersion()).rejects.toThrow(/Cannot find channel "latest-linux.yml"/);
    const bytes = randomAppImage(300_000);
    const file = join(dir, 'checkpoint-kiosk-1.4.0.AppImage');
    writeFileSync(file, bytes);
    const add = runCli(['central', 'release', 'add', '--data-dir', join(dir, 'central'), '--file', file, '--version', '1.4.0', '--staging-percentage', '25']);
    expect(add.code, add.stderr).toBe(0);

    const info = await provider().getLatestVersion();
    expect(info).toMatchObject({ version: '1.4.0', stagingPercentage: 25, path: 'checkpoint-kiosk-1.4.0.AppImage' });
    const sha512 = createHash('sha512').update(bytes).digest('base64');
    expect(info.files[0]).toMatchObject({ sha512, size: bytes.length });
    const [resolved] = provider().resolveFiles(info);
    const body = Buffer.from(await (await fetch(resolved!.url.href)).arrayBuffer());
    expect(createHash('sha512').update(body).digest('base64')).toBe(sha512);

    const set = runCli(['central', 'release', 'set', '--data-dir', join(dir, 'central'), '--version', '1.4.0', '--staging-percentage', '80']);
    expect(set.code, set.stderr).toBe(0);
    expect((await provider().getLatestVersion()).stagingPercentage).toBe(80);
  });

  it('serves only registered release files and refuses bad release input', async () => {
    for (const p of ['/updates/central.sqlite', '/updates/..%2Fcentral.sqlite', '/updates/root-key.pem', '/updates/nope.AppImage']) {
      expect((await fetch(`${server.url}${p}`)).status, p).toBe(404);
    }
    const bad = runCli(['central', 'release', 'add', '--data-dir', join(dir, 'central'), '--file', join(dir, 'missing'), '--version', '1.5.0']);
    expect(bad.code).toBe(2);
    const pct = runCli(['central', 'release', 'set', '--data-dir', join(dir, 'central'), '--version', '1.4.0', '--staging-percentage', '101']);
    expect(pct.code).toBe(2);
    expect(pct.stderr).toMatch(/staging-percentage/);
  });
});

describe('update feed with several releases', () => {
  it('serves the highest version, never overwrites a published file, and refuses a set that would reach no kiosk', async () => {
    const data = join(dir, 'central');
    const other = mkdtempSync(join(tmpdir(), 'ck-feed-other-'));
    try {
      const a = join(dir, 'checkpoint-kiosk-2.4.0.AppImage');
      const aBytes = randomAppImage(2_000);
      writeFileSync(a, aBytes);
      const b = join(dir, 'checkpoint-kiosk-2.3.0.AppImage');
      writeFileSync(b, randomAppImage(2_000));
      expect(runCli(['central', 'release', 'add', '--data-dir', data, '--file', a, '--version', '2.4.0', '--staging-percentage', '10']).code).toBe(0);
      // An older version added afterwards is recorded but must not take the feed over.
      const older = runCli(['central', 'release', 'add', '--data-dir', data, '--file', b, '--version', '2.3.0']);
      expect(older.code, older.stderr).toBe(0);
      expect(older.stderr).toMatch(/feed keeps serving 2\.4\.0/);
      expect(await provider().getLatestVersion()).toMatchObject({ version: '2.4.0', stagingPercentage: 10 });

      // Another AppImage under 2.4.0's file name would silently replace the bytes 2.4.0 advertises.
      const clash = join(other, 'checkpoint-kiosk-2.4.0.AppImage');
      writeFileSync(clash, randomAppImage(2_000));
      const refused = runCli(['central', 'release', 'add', '--data-dir', data, '--file', clash, '--version', '2.10.0']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/checkpoint-kiosk-2\.4\.0\.AppImage already holds the AppImage of release 2\.4\.0/);
      expect(refused.stderr).toMatch(/checkpoint-kiosk-2\.10\.0\.AppImage/);
      const served = Buffer.from(await (await fetch(`${server.url}/updates/checkpoint-kiosk-2.4.0.AppImage`)).arrayBuffer());
      expect(served.equals(aBytes)).toBe(true);
      expect((await provider().getLatestVersion()).version).toBe('2.4.0');

      // Renamed, it publishes; 2.10.0 ranks above 2.4.0 (numeric, not text order).
      const renamed = join(other, 'checkpoint-kiosk-2.10.0.AppImage');
      writeFileSync(renamed, randomAppImage(2_000));
      expect(runCli(['central', 'release', 'add', '--data-dir', data, '--file', renamed, '--version', '2.10.0']).code).toBe(0);
      expect(await provider().getLatestVersion()).toMatchObject({ version: '2.10.0', stagingPercentage: 100 });

      // Widening 2.4.0 now would change nothing kiosks see: refused, naming the served release.
      const set = runCli(['central', 'release', 'set', '--data-dir', data, '--version', '2.4.0', '--staging-percentage', '50']);
      expect(set.code).toBe(2);
      expect(set.stdout).toBe('');
      expect(set.stderr).toMatch(/the feed serves 2\.10\.0/);
      const ok = runCli(['central', 'release', 'set', '--data-dir', data, '--version', '2.10.0', '--staging-percentage', '50']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(await provider().getLatestVersion()).toMatchObject({ version: '2.10.0', stagingPercentage: 50 });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 180_000); // eight CLI runs, each a fresh node process
});

describe('update feed: adding a published version or published bytes again', () => {
  const data = () => join(dir, 'central');
  const add = (...args: string[]) => runCli(['central', 'release', 'add', '--data-dir', data(), ...args]);
  const publish = (version: string) => {
    const file = join(dir, `checkpoint-kiosk-${version}.AppImage`);
    const bytes = randomAppImage(2_000);
    writeFileSync(file, bytes);
    const r = add('--file', file, '--version', version);
    expect(r.code, r.stderr).toBe(0);
    return { file, bytes };
  };
  let other: string;
  beforeAll(() => {
    other = mkdtempSync(join(tmpdir(), 'ck-feed-again-'));
  });
  afterAll(() => rmSync(other, { recursive: true, force: true }));

  it('keeps the staged rollout of a version added again with the same bytes, unless --staging-percentage is given', async () => {
    const a = publish('3.4.0');
    expect(runCli(['central', 'release', 'set', '--data-dir', data(), '--version', '3.4.0', '--staging-percentage', '5']).code).toBe(0);

    // A CI retry of the same add: the 5 % rollout must not become 100 %.
    const retry = add('--file', a.file, '--version', '3.4.0');
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ event: 'release-added', version: '3.4.0', stagingPercentage: 5, already: true });
    expect(retry.stderr).toMatch(/3\.4\.0 was already published with these bytes .*staging percentage stays 5 %/);
    expect(await provider().getLatestVersion()).toMatchObject({ version: '3.4.0', stagingPercentage: 5 });

    // The flag given: the same bytes again set the share and change nothing else.
    const widen = add('--file', a.file, '--version', '3.4.0', '--staging-percentage', '20');
    expect(widen.code, widen.stderr).toBe(0);
    expect(widen.stderr).toMatch(/staging percentage is now 20 % \(was 5 %\)/);
    expect(await provider().getLatestVersion()).toMatchObject({ version: '3.4.0', stagingPercentage: 20, sha512: createHash('sha512').update(a.bytes).digest('base64') });
  }, 120_000); // four CLI runs, each a fresh node process

  it('refuses other bytes for a published version, naming the file, the version and a new version to use', async () => {
    const a = publish('4.4.0');
    const rebuilt = join(other, 'checkpoint-kiosk-4.4.0.AppImage');
    writeFileSync(rebuilt, randomAppImage(2_000));
    const refused = add('--file', rebuilt, '--version', '4.4.0');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`--file ${rebuilt}: release 4.4.0 is already published`);
    expect(refused.stderr).toMatch(/never overwritten.*--version 4\.4\.1/);
    const served = Buffer.from(await (await fetch(`${server.url}/updates/checkpoint-kiosk-4.4.0.AppImage`)).arrayBuffer());
    expect(served.equals(a.bytes)).toBe(true);
    expect((await provider().getLatestVersion()).sha512).toBe(createHash('sha512').update(a.bytes).digest('base64'));
  }, 120_000);

  it('refuses the bytes of a published release as another version, naming that version', async () => {
    const a = publish('5.9.0');
    // 5.9.0's bytes renamed as 5.11.0 would run as 5.9.0 and be offered to kiosks again and again.
    const copy = join(other, 'checkpoint-kiosk-5.11.0.AppImage');
    writeFileSync(copy, a.bytes);
    const twin = add('--file', copy, '--version', '5.11.0');
    expect(twin.code).toBe(2);
    expect(twin.stderr).toMatch(/these bytes are already published as release 5\.9\.0 \(checkpoint-kiosk-5\.9\.0\.AppImage\)/);
    expect(await provider().getLatestVersion()).toMatchObject({ version: '5.9.0' });
  }, 120_000);
});
