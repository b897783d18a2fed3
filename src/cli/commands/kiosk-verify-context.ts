/**
 * `verify --data-dir DIR`: the trust bundle and policy a kiosk verifies with, read from its data
 * dir with the kiosk's own checks, so a technician on site sees the verdict the kiosk would give:
 *
 * - the signed bundle `trust-bundle.jws`, verified against the root key pinned at enrollment
 *   (`enrollment.json`) and validated: readStoredTrustBundle, what the kiosk runs at start;
 * - the policy: the `--policy FILE` given (the kiosk's own is not remembered: give the same file),
 *   else the default, with the central configuration profile the kiosk keeps
 *   (`config-profile.jws`, verified for this device) applied over it, as the kiosk does at start.
 *
 * Reads only; the kiosk may be running. Problems are UsageErrors (exit 2) naming the file and
 * what to do.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../../core/policy.js';
import type { TrustIndex } from '../../credentials/trust/types.js';
import { ENROLLMENT_FILE, readEnrollment } from '../../sync/enrollment.js';
import { readStoredTrustBundle, TRUST_BUNDLE_FILE } from '../../sync/trust-sync.js';
import { CONFIG_PROFILE_FILE } from '../../sync/config-sync.js';
import { verifyConfigProfile } from '../../fleet/signed-profile.js';
import { policyOf } from '../../fleet/remote-config.js';
import { UsageError } from '../usage.js';

/** A stored configuration profile is a few KiB; anything far larger is not one (bytes). */
const MAX_PROFILE_BYTES = 1024 * 1024;

export interface KioskVerifyContext {
  trust: TrustIndex;
  policy: Policy;
  /** Things the technician should know that do not stop the verdict (stderr), e.g. a refused profile. */
  notes: string[];
}

/** Reads what the kiosk in `dataDir` verifies with; `basePolicy` is `--policy FILE` or the default. */
export async function readKioskVerifyContext(dataDir: string, basePolicy: Policy): Promise<KioskVerifyContext> {
  const fail = (problem: string) => new UsageError(`verify: --data-dir ${dataDir}: ${problem}`);
  const problemOf = (file: string, err: unknown): string => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return `cannot read ${file}: permission denied (the kiosk keeps its files owner-only: run verify as the kiosk's user, e.g. with sudo -u)`;
    return `cannot read ${file} (${code ?? (err as Error).message})`;
  };
  try {
    if (!statSync(dataDir).isDirectory()) throw fail('not a directory (give the directory the kiosk runs with, the one holding enrollment.json)');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw fail('no such directory');
    throw fail(problemOf(dataDir, err));
  }

  const enrollmentFile = join(dataDir, ENROLLMENT_FILE);
  const enrollment = readEnrollment(dataDir);
  if (!enrollment) {
    try {
      readFileSync(enrollmentFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw fail('this kiosk was never enrolled with a central server, so it keeps no signed trust bundle; it verifies with the bundle it is started with: give that file with --trust');
      }
      throw fail(problemOf(enrollmentFile, err));
    }
    throw fail(`${enrollmentFile} is damaged (the kiosk counts itself not enrolled either): enroll the kiosk again`);
  }

  const bundleFile = join(dataDir, TRUST_BUNDLE_FILE);
  let trust: TrustIndex;
  try {
    trust = (await readStoredTrustBundle(dataDir, enrollment.trustKey)).index;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw fail(`the kiosk is enrolled but holds no trust bundle yet (${TRUST_BUNDLE_FILE} comes with its first sync with the central server); until then it verifies with the bundle it is started with: give that file with --trust`);
    }
    if (code !== undefined) throw fail(problemOf(bundleFile, err));
    throw fail(`${bundleFile}: ${(err as Error).message}; the kiosk refuses it too and keeps verifying without it until a good bundle arrives`);
  }

  const notes: string[] = [];
  let policy = basePolicy;
  const profileFile = join(dataDir, CONFIG_PROFILE_FILE);
  let profileJws: string | undefined;
  try {
    if (statSync(profileFile).size > MAX_PROFILE_BYTES) notes.push(`${profileFile} is larger than ${MAX_PROFILE_BYTES} bytes; ignored, as the kiosk ignores it`);
    else profileJws = readFileSync(profileFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`${problemOf(profileFile, err)}; the policy shown may differ from the kiosk's`);
  }
  if (profileJws !== undefined) {
    try {
      const profile = await verifyConfigProfile(profileJws, enrollment.trustKey, enrollment.deviceId);
      policy = policyOf(profile.config, basePolicy);
    } catch (err) {
      // The kiosk skips a stored profile that fails its checks, and so do we; say so.
      notes.push(`${profileFile} is not used (${(err as Error).message}); the kiosk does not use it either`);
    }
  }
  return { trust, policy, notes };
}
