/**
 * The update feed for Electron kiosks, in the shape electron-updater's generic provider reads:
 * `GET <feed>/latest-linux.yml` and the AppImage beside it. A release is registered with
 * `central release add` (file copied into the releases dir, SHA-512 computed) and carries a
 * staged-rollout share, written as `stagingPercentage` into the yml: each kiosk compares it with
 * its own stable random share (electron-updater's staging user id) and only that fraction updates.
 * The feed serves one release: the highest version published (release-version.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inc, prerelease, valid } from 'semver';
import type { ReleaseRecord } from './storage/fleet-types.js';

/** File names a release may have (no directories, no dot-files). */
export const RELEASE_FILE = /^[A-Za-z0-9][\w.+-]{0,127}$/;
/**
 * Names of the feed's own files, never a release's: the feed answers `latest-linux.yml` itself
 * (an AppImage published under that name is shadowed, and a yml published as a release made the
 * feed point kiosks at the yml), and electron-updater also asks for `latest*.yml` of other
 * platforms and `<file>.blockmap` for differential downloads.
 */
export const FEED_OWN_FILE = /\.(ya?ml|blockmap)$/i;

/** Versions as electron-builder writes them (semver, with an optional pre-release part). */
export const RELEASE_VERSION = /^\d{1,6}\.\d{1,6}\.\d{1,6}(-[\w.]{1,40})?$/;

/**
 * Why `version` cannot be a release's version (plain words), or undefined when it can: it must
 * match RELEASE_VERSION and be a version npm `semver` accepts in its own clean form. A version
 * semver rejects (a leading zero, 02.1.0; a pre-release with _ or an empty part) ranks below
 * every version in the feed's order, so it would never be served and its bytes would then block
 * the real version ("already published as release 02.1.0").
 */
export function releaseVersionProblem(version: string): string | undefined {
  if (!RELEASE_VERSION.test(version)) return 'must be a semantic version such as 1.4.0';
  if (valid(version) === version) return undefined;
  const unpadded = version.replace(/(^|[.-])0+(?=\d+(?:[.-]|$))/g, '$1');
  const hint = unpadded !== version && valid(unpadded) === unpadded ? ` (write it as ${unpadded})` : '';
  return `is not a valid semantic version: npm semver rejects it (no leading zeros in a number such as 02, a pre-release part of letters, digits and - only, no empty part)${hint}`;
}

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
 * Why `central release add` refuses a file (exit 2). Every refusal keeps what is published as it
 * was: a kiosk that installed a release must find the same bytes under its version and file name.
 */
export class ReleaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A release file name already used by another published release: replacing it would make that
 * release's recorded SHA-512 and size wrong (kiosks would refuse its download).
 */
export class ReleaseFileTakenError extends ReleaseRefusedError {
  constructor(
    readonly target: string,
    readonly takenBy: string,
    readonly version: string,
  ) {
    super(
      `${target} already holds the AppImage of release ${takenBy}, with other content; it is not overwritten. ` +
        `Rename the new AppImage after its version (e.g. checkpoint-kiosk-${version}.AppImage) and add it again`,
    );
  }
}

/**
 * The version is published already with other bytes. Replacing them would give kiosks that have
 * this version installed no update (same version) while others get different code under its name,
 * and a download in flight would fail its SHA-512: a new version is the only fix.
 */
export class ReleaseVersionTakenError extends ReleaseRefusedError {
  constructor(
    readonly published: ReleaseRecord,
    readonly suggestion: string,
  ) {
    super(
      `release ${published.version} is already published (${published.file}, ${published.size} bytes) with other bytes; ` +
        `a published AppImage is never overwritten. Build these changes as a new version (e.g. ${suggestion}) and add it with --version ${suggestion}`,
    );
  }
}

/**
 * The bytes are published already as another version. An AppImage runs as the version it was
 * built with, so serving it under a higher one would make every kiosk download it again at each
 * check (it never reaches the version advertised).
 */
export class ReleaseBytesPublishedError extends ReleaseRefusedError {
  constructor(
    readonly published: ReleaseRecord,
    readonly version: string,
  ) {
    super(
      `these bytes are already published as release ${published.version} (${published.file}); an AppImage reports the version it was built with, ` +
        `so serving them as ${version} would offer kiosks ${published.version} again and again. Build the AppImage as ${version} and add that file`,
    );
  }
}

/** What decideRelease decided. */
export interface PreparedRelease {
  /** The record to store (for a republished version: the stored one, with the staging percentage given, if any). */
  release: ReleaseRecord;
  /**
   * True when the version was published already with these very bytes: nothing was copied, and
   * the record differs from the stored one at most by its staging percentage.
   */
  republished: boolean;
  /** Where the release's file must be in the releases dir, when it must be copied there (absent: in place already). */
  copyTo?: string;
}

/** A version above `version` that no published release has: the next patch (or pre-release) number. */
export function nextFreeVersion(version: string, published: readonly ReleaseRecord[]): string {
  const taken = new Set(published.map((r) => r.version));
  let v = version;
  // Bounded: only as many steps as there are published versions can be taken.
  for (let i = 0; i <= taken.size; i++) {
    v = inc(v, prerelease(v) ? 'prerelease' : 'patch') ?? v;
    if (!taken.has(v)) break;
  }
  return v;
}

/**
 * An AppImage on its way to publication: checked, its digest computed, and (when it has to be
 * copied) its bytes already copied to a temporary name in the releases dir, so that the decision
 * taken under the database's lock (decideRelease, placeRelease) needs only a rename.
 */
export interface StagedRelease {
  source: string;
  releasesDir: string;
  file: string;
  version: string;
  stagingPercentage: number | undefined;
  sha512: string;
  size: number;
  nowMs: number;
  /** The copy under a temporary name in `releasesDir`, until placed or discarded. */
  tmp?: string;
}

/**
 * Checks `source` and `version` and computes the digest; `published` (read before the lock) lets a
 * refusal come before any copy, and the copy is made only when the release will need one. Throws
 * ReleaseRefusedError for a refusal (see decideRelease), Error naming any other problem. Call
 * discardStaged at the end whatever happened.
 */
export async function stageRelease(
  source: string,
  releasesDir: string,
  version: string,
  stagingPercentage: number | undefined,
  nowMs: number,
  published: readonly ReleaseRecord[] = [],
): Promise<StagedRelease> {
  const versionProblem = releaseVersionProblem(version);
  if (versionProblem) throw new Error(`version "${version}" ${versionProblem}`);
  const file = path.basename(source);
  if (!RELEASE_FILE.test(file)) throw new Error(`file name "${file}" may only use letters, digits and . _ + -`);
  if (FEED_OWN_FILE.test(file)) throw new ReleaseRefusedError(feedOwnFileProblem(file));
  if (stagingPercentage !== undefined && (!Number.isInteger(stagingPercentage) || stagingPercentage < 0 || stagingPercentage > 100)) throw new Error('staging percentage must be 0–100');
  const { sha512, size } = await fileDigest(source);
  const staged: StagedRelease = { source, releasesDir, file, version, stagingPercentage, sha512, size, nowMs };
  const early = decideRelease(staged, published);
  if (early.copyTo) {
    fs.mkdirSync(releasesDir, { recursive: true });
    const tmp = path.join(releasesDir, `.${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
    staged.tmp = tmp;
    fs.copyFileSync(source, tmp);
  }
  return staged;
}

/**
 * What publishing `staged` means given the releases `published` (read under the database's lock
 * by FleetStorage.addRelease, so two adds at once cannot both pass); a published release is never
 * changed by this (update-feed rules in README "Updates"):
 *  - its version published with the same bytes (SHA-512 and size): a no-op (`republished`, a copy
 *    only if its file went missing from the releases dir); its staging percentage is kept unless
 *    one is given — a retried CI job must not widen a staged rollout;
 *  - its version published with other bytes: ReleaseVersionTakenError;
 *  - the bytes published as another version: ReleaseBytesPublishedError;
 *  - the file name of another release: ReleaseFileTakenError.
 * A new version's staging percentage is 100 unless given.
 */
export function decideRelease(staged: StagedRelease, published: readonly ReleaseRecord[]): PreparedRelease {
  const { releasesDir, version, file, sha512, size, stagingPercentage } = staged;
  const same = (r: ReleaseRecord) => r.sha512 === sha512 && r.size === size;
  const existing = published.find((r) => r.version === version);
  if (existing && !same(existing)) throw new ReleaseVersionTakenError(existing, nextFreeVersion(version, published));
  if (existing) {
    // The record's own file name, whatever the new copy is called: its record is unchanged.
    const kept = path.join(releasesDir, existing.file);
    return { release: { ...existing, stagingPercentage: stagingPercentage ?? existing.stagingPercentage }, republished: true, ...(fs.existsSync(kept) ? {} : { copyTo: kept }) };
  }
  const twin = published.find(same);
  if (twin) throw new ReleaseBytesPublishedError(twin, version);
  const target = path.join(releasesDir, file);
  // By the record, not the disk: a release whose file went missing still owns its name.
  const owner = published.find((r) => r.file === file);
  if (owner) throw new ReleaseFileTakenError(target, owner.version, version);
  const release: ReleaseRecord = { version, file, sha512, size, stagingPercentage: stagingPercentage ?? 100, releasedAt: new Date(staged.nowMs).toISOString() };
  return { release, republished: false, ...(path.resolve(staged.source) === path.resolve(target) ? {} : { copyTo: target }) };
}

/**
 * Puts the release's file in place (synchronously: it runs under the database's lock) by renaming
 * the staged copy, or copying through a temporary name when none was staged. A rename replaces
 * the name at once, so a kiosk downloading meanwhile never reads a half-written file.
 */
export function placeRelease(staged: StagedRelease, decided: PreparedRelease): void {
  if (!decided.copyTo) return;
  fs.mkdirSync(staged.releasesDir, { recursive: true });
  if (staged.tmp && fs.existsSync(staged.tmp)) {
    fs.renameSync(staged.tmp, decided.copyTo);
    delete staged.tmp;
    return;
  }
  const tmp = `${decided.copyTo}.${process.pid}.part`;
  try {
    fs.copyFileSync(staged.source, tmp);
    fs.renameSync(tmp, decided.copyTo);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Removes the staged copy if it was not placed (a refusal, an error). */
export function discardStaged(staged: StagedRelease | undefined): void {
  if (staged?.tmp) fs.rmSync(staged.tmp, { force: true });
}

/** Why `file` cannot be a release's file name (FEED_OWN_FILE). */
export function feedOwnFileProblem(file: string): string {
  return `"${file}" is named like one of the update feed's own files (latest-linux.yml, another .yml, a .blockmap), which the feed writes itself: publish the AppImage (e.g. checkpoint-kiosk-1.4.0.AppImage), not the yml or blockmap electron-builder writes beside it`;
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
