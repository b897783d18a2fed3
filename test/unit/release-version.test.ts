import { describe, expect, it } from 'vitest';
import { compareReleaseVersions, highestRelease } from '../../server/release-version.js';
import type { ReleaseRecord } from '../../server/storage/fleet-types.js';

describe('release version precedence (semver §11)', () => {
  it('orders versions numerically, a pre-release below its release', () => {
    const sorted = ['1.10.0', '1.9.0', '1.4.0-beta.2', '1.4.0', '1.4.0-beta.10', '1.4.0-alpha', '1.4.0-1', '2.0.0', '1.4.0-beta'];
    sorted.sort(compareReleaseVersions);
    expect(sorted).toEqual(['1.4.0-1', '1.4.0-alpha', '1.4.0-beta', '1.4.0-beta.2', '1.4.0-beta.10', '1.4.0', '1.9.0', '1.10.0', '2.0.0']);
    expect(compareReleaseVersions('1.4.0', '1.4.0')).toBe(0);
  });

  it('picks the highest release whatever the order they were added in', () => {
    const r = (version: string, releasedAt: string): ReleaseRecord => ({ version, file: `k-${version}.AppImage`, sha512: 'x', size: 1, stagingPercentage: 100, releasedAt });
    expect(highestRelease([r('1.4.0', '2026-01-01T00:00:00Z'), r('1.3.0', '2026-02-01T00:00:00Z')])?.version).toBe('1.4.0');
    expect(highestRelease([])).toBeUndefined();
  });
});
