/**
 * Version precedence of update-feed releases, as semver 2.0.0 §11 defines it, for the versions
 * RELEASE_VERSION admits (MAJOR.MINOR.PATCH with an optional pre-release part, no build metadata).
 * The feed serves the highest version (electron-updater takes a release only when it is newer than
 * the running one, so serving the last one added would hide a newer release behind an older one).
 * Kept here, pure and small, because `semver` is only a transitive dependency without types.
 */
import type { ReleaseRecord } from './storage/fleet-types.js';

function preCompare(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    // §11.4: numeric identifiers compare numerically and rank below alphanumeric ones.
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * Compares two release versions (e.g. "1.4.0", "1.5.0-beta.2"): negative when `a` ranks below `b`,
 * 0 when equal, positive above (semver §11: a pre-release ranks below its release). A string that
 * is not such a version ranks below every version (never thrown: stored records were validated).
 */
export function compareReleaseVersions(a: string, b: string): number {
  const re = /^(\d+)\.(\d+)\.(\d+)(?:-([\w.]+))?$/;
  const ma = re.exec(a);
  const mb = re.exec(b);
  if (!ma || !mb) return (ma ? 1 : 0) - (mb ? 1 : 0);
  for (let i = 1; i <= 3; i++) {
    const d = Number(ma[i]) - Number(mb[i]);
    if (d !== 0) return d;
  }
  if (ma[4] === undefined || mb[4] === undefined) return (ma[4] === undefined ? 1 : 0) - (mb[4] === undefined ? 1 : 0);
  return preCompare(ma[4], mb[4]);
}

/** The release the feed serves: the highest version (not the last one added), or undefined. */
export function highestRelease(releases: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  let best: ReleaseRecord | undefined;
  for (const r of releases) if (!best || compareReleaseVersions(r.version, best.version) > 0) best = r;
  return best;
}
