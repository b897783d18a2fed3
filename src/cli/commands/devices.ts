/**
 * `checkpoint-kiosk devices`: the serial, HID and V4L2 camera devices found, one JSON line each, scored
 * against the table of known scanners, with what `--scanner auto` would pick. A lister that
 * fails (no udevadm, no libusb) is reported as its own line and does not hide the other.
 */
import { EXIT } from '../exit-codes.js';
import { discover, pickAuto, realDiscoveryDeps } from '../../../drivers/discovery/discover.js';
import { parseCommand } from '../usage.js';

export async function devicesCommand(argv: string[]): Promise<number> {
  parseCommand('devices', argv, {});
  const result = await discover(realDiscoveryDeps());
  const picked = new Set(pickAuto(result.entries).map((e) => e.uri));
  for (const entry of result.entries) {
    process.stdout.write(`${JSON.stringify({ ...entry, auto: picked.has(entry.uri) })}\n`);
  }
  for (const error of result.errors) {
    process.stdout.write(`${JSON.stringify({ kind: 'error', source: error.source, message: error.message })}\n`);
  }
  if (result.entries.length === 0) {
    process.stderr.write('no serial, HID or camera devices found; check the cable, and that the kiosk user is in the dialout group (serial), has hidraw access or is in the video group (camera) (see README)\n');
  }
  return EXIT.ok;
}
