/**
 * Version precedence of update-feed releases, as semver 2.0.0 §11 defines it (npm `semver`), for
 * the versions RELEASE_VERSION admits (MAJOR.MINOR.PATCH with an optional pre-release part, no
 * build metadata). The feed serves the highest version: electron-updater takes a release only when
 * it is newer than the running one, so serving the last one added would hide a newer release
 * behind an older one.
 */
import { compare, valid } from 'semver';
import type { ReleaseRecord } from './storage/fleet-types.js';

/**
 * Compares two release versions (e.g. "1.4.0", "1.5.0-beta.2"): negative when `a` ranks below `b`,
 * 0 when equal, positive above (semver §11: a pre-release ranks below its release). A string that
 * is not such a version ranks below every version (never thrown: stored records were validated).
 */
export function compareReleaseVersions(a: string, b: string): number {
  const va = valid(a) !== null;
  const vb = valid(b) !== null;
  if (!va || !vb) return (va ? 1 : 0) - (vb ? 1 : 0);
  return compare(a, b);
}

/** The release the feed serves: the highest version (not the last one added), or undefined. */
export function highestRelease(releases: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  let best: ReleaseRecord | undefined;
  for (const r of releases) if (!best || compareReleaseVersions(r.version, best.version) > 0) best = r;
  return best;
}
