/**
 * The update feed for Electron kiosks, in the shape electron-updater's generic provider reads:
 * `GET <feed>/latest-linux.yml` and the AppImage beside it. A release is registered with
 * `central release add` (file copied into the releases dir, SHA-512 computed) and carries a
 * staged-rollout share, written as `stagingPercentage` into the yml: each kiosk compares it with
 * its own stable random share (electron-updater's staging user id) and only that fraction updates.
 * The feed serves one release: the highest version published (release-version.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ReleaseRecord } from './storage/fleet-types.js';

/** File names a release may have (no directories, no dot-files). */
export const RELEASE_FILE = /^[A-Za-z0-9][\w.+-]{0,127}$/;
/** Versions as electron-builder writes them (semver, with an optional pre-release part). */
export const RELEASE_VERSION = /^\d{1,6}\.\d{1,6}\.\d{1,6}(-[\w.]{1,40})?$/;

/** base64 SHA-512 and size of a file, streamed (AppImages are ~100 MB). */
export async function fileDigest(file: string): Promise<{ sha512: string; size: number }> {
  const hash = createHash('sha512');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha512: hash.digest('base64'), size };
}

/**
 * A release file name already taken by a published release with other content: overwriting it
 * would make that release's recorded SHA-512 and size wrong (kiosks would refuse its download).
 */
export class ReleaseFileTakenError extends Error {
  constructor(
    readonly target: string,
    readonly takenBy: string,
    readonly version: string,
  ) {
    super(
      `${target} already holds the AppImage of release ${takenBy}, with other content; it is not overwritten. ` +
        `Rename the new AppImage after its version (e.g. checkpoint-kiosk-${version}.AppImage) and add it again`,
    );
    this.name = 'ReleaseFileTakenError';
  }
}

/**
 * Copies `source` into `releasesDir` and describes it as a release. `published` are the releases
 * already recorded: a file of theirs is never replaced by other content (ReleaseFileTakenError);
 * the same bytes again are fine. The copy goes through a temporary name and a rename, so a kiosk
 * downloading meanwhile never reads a half-written file. Throws Error naming any other problem.
 */
export async function prepareRelease(
  source: string,
  releasesDir: string,
  version: string,
  stagingPercentage: number,
  nowMs: number,
  published: readonly ReleaseRecord[] = [],
): Promise<ReleaseRecord> {
  if (!RELEASE_VERSION.test(version)) throw new Error(`version "${version}" is not a semantic version (e.g. 1.4.0)`);
  const file = path.basename(source);
  if (!RELEASE_FILE.test(file)) throw new Error(`file name "${file}" may only use letters, digits and . _ + -`);
  if (!Number.isInteger(stagingPercentage) || stagingPercentage < 0 || stagingPercentage > 100) throw new Error('staging percentage must be 0–100');
  fs.mkdirSync(releasesDir, { recursive: true });
  const target = path.join(releasesDir, file);
  const { sha512, size } = await fileDigest(source);
  if (path.resolve(source) !== path.resolve(target)) {
    const owner = published.find((r) => r.file === file && r.version !== version);
    if (owner && fs.existsSync(target)) {
      const present = await fileDigest(target);
      if (present.sha512 !== sha512 || present.size !== size) throw new ReleaseFileTakenError(target, owner.version, version);
    }
    const tmp = `${target}.${process.pid}.part`;
    try {
      fs.copyFileSync(source, tmp);
      fs.renameSync(tmp, target);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  return { version, file, sha512, size, stagingPercentage, releasedAt: new Date(nowMs).toISOString() };
}

/** `latest-linux.yml` for a release (every value is from a validated record; strings are quoted). */
export function latestLinuxYml(r: ReleaseRecord): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return [
    `version: ${q(r.version)}`,
    'files:',
    `  - url: ${q(r.file)}`,
    `    sha512: ${q(r.sha512)}`,
    `    size: ${r.size}`,
    `path: ${q(r.file)}`,
    `sha512: ${q(r.sha512)}`,
    `releaseDate: ${q(r.releasedAt)}`,
    `stagingPercentage: ${r.stagingPercentage}`,
    '',
  ].join('\n');
}
