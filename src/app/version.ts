/** The package version, read once from package.json (sent in heartbeats and enrollment). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * package.json of this checkout or package, found by walking up from this file: it runs from
 * src/app under tsx, from a bundle in dist/cli, and from dist/src/electron inside the app.
 */
function findPackageJson(from: string): string | undefined {
  let dir = path.dirname(from);
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

export const VERSION: string = (() => {
  try {
    const file = findPackageJson(fileURLToPath(import.meta.url));
    return file ? ((JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0') : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
