/**
 * `run --ca FILE`: the PEM certificate of a private CA the kiosk trusts for the central server's
 * TLS. Every way the file can be wrong gets "what is wrong; how to fix it" (exit 2), like the
 * other file flags, instead of a bare errno.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkRegularFile } from '../../../drivers/file-check.js';
import { UsageError } from '../usage.js';

/** A CA bundle of a few certificates is a few KiB; 1 MiB bounds what a wrong path makes us read. */
export const MAX_CA_BYTES = 1024 * 1024;
const WHAT = 'a PEM file holding the CA certificate (-----BEGIN CERTIFICATE-----)';

/**
 * Reads `file` and returns its PEM text. Throws UsageError (`run: --ca FILE: problem; fix`) when
 * it is missing, a folder, not a regular file, larger than MAX_CA_BYTES, unreadable by this user
 * or holds no PEM certificate.
 */
export function readCaFile(file: string): string {
  const where = file === resolve(file) ? file : `${file} (read from ${process.cwd()})`;
  const refuse = (problem: string) => new UsageError(`run: --ca ${where}: ${problem}`);
  const c = checkRegularFile(file);
  if (!c.ok) {
    if (c.problem === 'folder') throw refuse(`is a folder; name ${WHAT} inside it`);
    if (c.problem === 'not-file') throw refuse(`is not a regular file; name ${WHAT}`);
    throw refuse(accessProblem(c.code, 'folder on its path'));
  }
  const { size } = c;
  if (size > MAX_CA_BYTES) throw refuse(`is ${size} bytes, larger than the ${MAX_CA_BYTES}-byte limit; name ${WHAT}`);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw refuse(accessProblem((err as NodeJS.ErrnoException).code ?? String(err), 'file'));
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw refuse('holds no PEM certificate (no -----BEGIN CERTIFICATE----- line); give the CA certificate in PEM (a DER one converts with: openssl x509 -inform der -in ca.der -out ca.pem)');
  }
  return pem;
}

/** `code`: the errno of the failed stat or read. */
function accessProblem(code: string, denied: 'file' | 'folder on its path'): string {
  if (code === 'ENOENT' || code === 'ENOTDIR') return `no such file; fix the path (${WHAT})`;
  if (code === 'EACCES' || code === 'EPERM') return `cannot be read by this user (permission denied on the ${denied}); fix its permissions (chmod a+r or chown)`;
  return `cannot be read (${code})`;
}
