// `npm test` runs this first (pretest): the tests use real system parts (ptys through socat,
// udevadm behind SerialPort.list(), libusb for node-hid, Debian's Chromium, a throw-away
// PostgreSQL cluster, ffmpeg for camera input, openssl for TLS certificates). When any is
// missing it names every missing one with the exact apt-get line and exits 1, instead of a test
// failing deep inside with "spawn socat ENOENT".
//
//   node scripts/check-system.mjs [--root DIR]
//
// --root DIR looks for the fixed paths (/usr/bin/chromium, /usr/lib/postgresql/*/bin, libusb)
// under DIR instead of / (its own test uses an empty folder).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

let values;
try {
  ({ values } = parseArgs({ options: { root: { type: 'string' } }, strict: true }));
} catch (err) {
  process.stderr.write(`check-system: ${err.message}\nusage: node scripts/check-system.mjs [--root DIR]\n`);
  process.exit(2);
}
const root = values.root ?? '/';

/** `name` is an executable on PATH. */
const onPath = (name) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, name)));
const at = (file) => existsSync(path.join(root, file));
/** Debian installs PostgreSQL's server binaries per major version, off PATH. */
const postgresBin = (name) => {
  const base = path.join(root, 'usr/lib/postgresql');
  const versions = existsSync(base) ? readdirSync(base) : [];
  return versions.some((v) => existsSync(path.join(base, v, 'bin', name))) || onPath(name);
};
const libusb = () => ['usr/lib/x86_64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'usr/lib/arm-linux-gnueabihf', 'usr/lib', 'lib/x86_64-linux-gnu', 'lib/aarch64-linux-gnu'].some((d) => at(path.join(d, 'libusb-1.0.so.0')));

/** [what the tests need, Debian package, check] */
const NEEDS = [
  ['socat (real serial ptys)', 'socat', () => onPath('socat')],
  ['udevadm (SerialPort.list)', 'udev', () => onPath('udevadm') || at('usr/bin/udevadm') || at('bin/udevadm')],
  ['libusb-1.0 (node-hid)', 'libusb-1.0-0', libusb],
  ['chromium at /usr/bin/chromium (browser tests)', 'chromium', () => at('usr/bin/chromium')],
  ['initdb and pg_ctl (PostgreSQL tests)', 'postgresql', () => postgresBin('initdb') && postgresBin('pg_ctl')],
  ['ffmpeg (camera tests)', 'ffmpeg', () => onPath('ffmpeg')],
  ['openssl (TLS tests)', 'openssl', () => onPath('openssl')],
];

const missing = NEEDS.filter(([, , ok]) => !ok());
if (missing.length > 0) {
  process.stderr.write(`The tests need system packages that are missing:\n${missing.map(([what, pkg]) => `  - ${what}: Debian package ${pkg}\n`).join('')}Install them with:\n  apt-get install -y ${[...new Set(missing.map(([, pkg]) => pkg))].join(' ')}\n(as root, or with sudo; then run the tests again)\n`);
  process.exit(1);
}
