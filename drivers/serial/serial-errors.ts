/**
 * Plain answers for the errors a serial port gives a technician. serialport 13 (bindings-cpp)
 * reports OS errors as text without an errno code — `Error Resource temporarily unavailable Cannot
 * lock port`, `Error: No such file or directory, cannot open /dev/ttyACM0` — and an unplug as a
 * `close` with `disconnected: true` (`bad file descriptor` on a pty, `Input/output error` on a USB
 * adapter). describeSerialError turns each usual cause into what happened and the fix, and keeps
 * the original as `code` (an errno name such as EAGAIN, ENOENT, EACCES, EBUSY, EIO) and `detail`
 * (the raw text) for logs, as etcher keeps user-facing text apart from what is logged.
 */

export interface SerialProblem {
  /** What a technician reads: the cause and the fix. */
  message: string;
  /** errno name of the original error (EAGAIN, ENOENT …), or undefined when it is not known. */
  code: string | undefined;
  /** The original error text, for logs. */
  detail: string;
}

/** strerror(3) texts as glibc words them, and the few serialport adds, → errno name. */
const BY_TEXT: ReadonlyArray<[RegExp, string]> = [
  [/Cannot lock port|Resource temporarily unavailable/i, 'EAGAIN'],
  [/No such file or directory/i, 'ENOENT'],
  [/Permission denied/i, 'EACCES'],
  [/Operation not permitted/i, 'EPERM'],
  [/Device or resource busy/i, 'EBUSY'],
  [/Input\/output error/i, 'EIO'],
  [/No such device or address/i, 'ENXIO'],
  [/No such device/i, 'ENODEV'],
  [/bad file descriptor/i, 'EBADF'],
  [/Inappropriate ioctl for device/i, 'ENOTTY'],
  [/Is a directory/i, 'EISDIR'],
  // The driver's own presence watchdog (serial-driver.ts).
  [/device path went away/i, 'ENOENT'],
];

/** Codes that mean the device vanished while it was open (unplug, cable, hub reset). */
const GONE = new Set(['EIO', 'EBADF', 'ENXIO', 'ENODEV']);

/** What is behind the port and how the caller tries again, for the wording. */
export interface SerialDeviceWords {
  /** `scanner` (default) or `relay board`. */
  device: string;
  /** When it is tried again: `retrying` (default, the scanner's backoff) or `tried again at each pulse`. */
  retry: string;
  /** What happens once it is back: default `it reconnects by itself when plugged back`. */
  back: string;
}

const SCANNER_WORDS: SerialDeviceWords = { device: 'scanner', retry: 'retrying', back: 'it reconnects by itself when plugged back' };

/**
 * The plain message for `err` on the port at `path`. `disconnected` (serialport's flag) marks an
 * error that ended an open connection: whatever its text, the device went away.
 */
export function describeSerialError(err: unknown, path: string, words: SerialDeviceWords = SCANNER_WORDS): SerialProblem {
  const detail = err instanceof Error ? err.message : String(err);
  const own = (err as { code?: unknown } | null)?.code;
  const code = typeof own === 'string' && /^E[A-Z]+$/.test(own) ? own : BY_TEXT.find(([re]) => re.test(detail))?.[1];
  const disconnected = (err as { disconnected?: unknown } | null)?.disconnected === true;
  const cannotOpen = `cannot open ${path}`;
  let message: string;
  if (code === 'EAGAIN') {
    message = `${cannotOpen}: another program holds it (the port is locked): stop that program (a second kiosk, screen, minicom, ModemManager) or choose another port; ${words.retry}`;
  } else if (code === 'ENOENT' && !disconnected && detail.includes('cannot open')) {
    message = `${cannotOpen}: it does not exist: the ${words.device} is unplugged or has another name (\`checkpoint-kiosk devices\` lists them; /dev/serial/by-id/… names stay the same); ${words.retry} until it appears`;
  } else if (code === 'EACCES' || code === 'EPERM') {
    message = `${cannotOpen}: permission denied: add the kiosk user to the dialout group (sudo usermod -aG dialout USER, then log in again)`;
  } else if (code === 'EBUSY') {
    message = `${cannotOpen}: the device is busy: another program or driver holds it (often ModemManager or brltty: stop or remove it); ${words.retry}`;
  } else if (code === 'ENOTTY') {
    message = `${cannotOpen}: it is not a serial port (check the path: \`checkpoint-kiosk devices\` lists them)`;
  } else if (code === 'EISDIR') {
    message = `${cannotOpen}: it is a directory, not a serial port`;
  } else if (/now leads to another device/.test(detail)) {
    message = `${path} now leads to another device (a different adapter behind the same name); reconnecting to it`;
  } else if (disconnected || (code !== undefined && (GONE.has(code) || code === 'ENOENT'))) {
    message = `${path} went away: the ${words.device} was unplugged or its cable came loose; ${words.back}`;
  } else {
    message = detail;
  }
  return { message, code, detail };
}
