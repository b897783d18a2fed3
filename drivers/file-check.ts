/**
 * The one stat every "name a file" option does before reading it (a PIN file, a CA file, a
 * remote-configuration profile, a scan or video file): is it there, reachable, and a regular file?
 * Kept in drivers/, the lowest layer allowed to touch the file system, so every layer can use it.
 * Callers word the answer for their own flag; this only classifies what stat(2) said.
 */
import { statSync } from 'node:fs';

export type FileCheck =
  | { ok: true; size: number; mode: number }
  /**
   * missing: ENOENT/ENOTDIR; no-access: EACCES (a folder on the path denies this user); folder /
   * not-file: it exists but is not a regular file; other: any other errno, in `code`.
   */
  | { ok: false; problem: 'missing' | 'no-access' | 'folder' | 'not-file' | 'other'; code: string };

/** Stats `file` (following links) and classifies it. Never throws. */
export function checkRegularFile(file: string): FileCheck {
  let info;
  try {
    info = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, problem: 'missing', code };
    if (code === 'EACCES') return { ok: false, problem: 'no-access', code };
    return { ok: false, problem: 'other', code };
  }
  if (info.isDirectory()) return { ok: false, problem: 'folder', code: 'EISDIR' };
  if (!info.isFile()) return { ok: false, problem: 'not-file', code: '' };
  return { ok: true, size: info.size, mode: info.mode };
}
