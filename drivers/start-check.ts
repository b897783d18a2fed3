/**
 * Which scanner URIs can never work, told apart from devices that are merely not there yet.
 *
 * - **Cannot exist** (refused at start, the command exits 2): a URI that does not parse (unknown
 *   kind, bad option: ScannerUriError), a HID URI with an option its driver refuses (unknown
 *   option, `layout` other than us/de: drivers/hid/hid-options.ts), and a *file* source — `sim:FILE`, `camera:FILE` — whose
 *   file is missing, not a regular file, unreadable by this user or (sim) larger than the bound.
 *   A file does not appear by itself, so waiting for it would only hide a typo.
 * - **Not there yet** (accepted, shown `disconnected` and retried with backoff): serial ports,
 *   hidraw/HID devices, `camera:/dev/video…` and IP cameras. Those are unplugged, switched off or
 *   still booting at start as a matter of course, and come back without a restart.
 *
 * The drivers keep their own checks (a file removed between this check and open() still ends the
 * source with a message); this is the early, specific answer for whoever typed the URI.
 */
import { accessSync, closeSync, constants, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkRegularFile } from './file-check.js';
import type { ScannerUri } from './uri.js';
import { MAX_SIM_FILE_BYTES } from './sim/sim-source.js';
import { hidOptionProblem } from './hid/hid-options.js';

/**
 * Returns why `parsed` can never work ("problem; fix"), or undefined when it may work now or later.
 * Only touches the file system for file sources (one stat and one access check, synchronous).
 */
export function scannerStartProblem(parsed: ScannerUri): string | undefined {
  if (parsed.kind === 'hid' || parsed.kind === 'hid-pos') return hidOptionProblem(parsed);
  if (parsed.kind === 'sim') return fileProblem(parsed.file, 'scan file', MAX_SIM_FILE_BYTES, 'a text file with one scan per line') ?? notTextProblem(parsed.file);
  if (parsed.kind === 'camera' && parsed.source === 'file') return fileProblem(parsed.location, 'video file', undefined, 'a recorded video, or camera:/dev/videoN for a webcam');
  return undefined;
}

function fileProblem(file: string, what: string, maxBytes: number | undefined, expected: string): string | undefined {
  const where = file === resolve(file) ? `"${file}"` : `"${file}" (read from ${process.cwd()})`;
  const c = checkRegularFile(file);
  if (!c.ok) {
    if (c.problem === 'missing') return `the ${what} ${where} does not exist; fix the path (${expected})`;
    if (c.problem === 'no-access') return `the ${what} ${where} cannot be reached by this user (permission denied on a folder); fix the permissions`;
    if (c.problem === 'other') return `the ${what} ${where} cannot be read (${c.code})`;
    return `the ${what} ${where} is ${c.problem === 'folder' ? 'a directory' : 'not a regular file'}; name ${expected}`;
  }
  if (maxBytes !== undefined && c.size > maxBytes) return `the ${what} ${where} is ${c.size} bytes, larger than the ${maxBytes}-byte limit; split it`;
  try {
    accessSync(file, constants.R_OK);
  } catch {
    return `the ${what} ${where} cannot be read by this user (permission denied); fix its permissions (chmod a+r or chown)`;
  }
  return undefined;
}

/** How much of a scan file is looked at to tell text from a binary file (a video given as sim:). */
const TEXT_SNIFF_BYTES = 64 * 1024;

/**
 * Why the readable scan file `file` is not text, or undefined when it is: a NUL byte or invalid
 * UTF-8 in its first 64 KiB. A binary file (a video given as `sim:` instead of `camera:`) replayed
 * line by line recorded hundreds of junk check-ins.
 */
function notTextProblem(file: string): string | undefined {
  const where = file === resolve(file) ? `"${file}"` : `"${file}" (read from ${process.cwd()})`;
  const head = Buffer.alloc(TEXT_SNIFF_BYTES);
  let n = 0;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    while (n < head.length) {
      const got = readSync(fd, head, n, head.length - n, n);
      if (got === 0) break;
      n += got;
    }
  } catch (err) {
    return `the scan file ${where} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const bytes = head.subarray(0, n);
  const fix = 'name a text file with one scan per line (a recorded video is read with --scanner camera:FILE)';
  if (bytes.includes(0)) return `the scan file ${where} is not a text file (it holds NUL bytes); ${fix}`;
  try {
    // A character cut at the 64 KiB mark is not counted as invalid (stream: the rest is unread).
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: n === TEXT_SNIFF_BYTES });
  } catch {
    return `the scan file ${where} is not a text file (it is not valid UTF-8); ${fix}`;
  }
  return undefined;
}
