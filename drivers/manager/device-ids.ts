/**
 * Device ids that are unique among the configured scanners. A scanner's natural id is short and
 * stable (`camera:held.mp4`, `sim:scans.txt`: the file's base name; `camera:rtsp://HOST/PATH`: a
 * stream without password or query), which is what logs, check-ins and the screens show; but two
 * files with one base name in different folders, or two streams of one camera that differ only in
 * their query, had one id between them. Everything keyed by the id then mixed them up (one
 * `scanner` line on stdout, a finite run that never saw its second end of input).
 *
 * Only ids that collide change, so a scanner that was unique keeps the id it always had: a file
 * is then named by its path as written on the command line (`camera:/tmp/x/a3.mp4`,
 * `camera:sub/a3.mp4`), and anything still the same (a stream, whose query may hold a token and is
 * never shown) gets `#2`, `#3` … in the order given.
 */
import { basename } from 'node:path';
import { cameraDeviceId } from '../camera/camera-uri.js';
import { parseScannerUri, type ScannerUri } from '../uri.js';

/** The id the driver of `parsed` takes by itself, for the kinds that accept another (camera, sim). */
function naturalId(parsed: ScannerUri): string | undefined {
  if (parsed.kind === 'camera') return cameraDeviceId(parsed);
  if (parsed.kind === 'sim') return `sim:${basename(parsed.file)}`;
  return undefined;
}

/** The id of `parsed` named by its path as written (files), else its natural id. */
function longId(parsed: ScannerUri, natural: string): string {
  if (parsed.kind === 'camera' && parsed.source === 'file') return `camera:${parsed.location}`;
  if (parsed.kind === 'sim') return `sim:${parsed.file}`;
  return natural;
}

/**
 * For each URI (same order), the device id its driver must take instead of its own, or undefined
 * to keep its own. Throws ScannerUriError for a bad URI.
 */
export function deviceIdOverrides(uris: readonly string[]): (string | undefined)[] {
  const parsed = uris.map((u) => parseScannerUri(u));
  const natural = parsed.map(naturalId);
  const count = new Map<string, number>();
  for (const id of natural) if (id !== undefined) count.set(id, (count.get(id) ?? 0) + 1);
  const ids = natural.map((id, i) => (id !== undefined && (count.get(id) ?? 0) > 1 ? longId(parsed[i]!, id) : id));
  // Whatever is still shared (streams of one camera, or a long id meeting another's id) is numbered.
  const taken = new Set<string>();
  const out: (string | undefined)[] = [];
  for (const [i, id] of ids.entries()) {
    if (id === undefined) {
      out.push(undefined);
      continue;
    }
    let unique = id;
    for (let n = 2; taken.has(unique); n++) unique = `${id}#${n}`;
    taken.add(unique);
    out.push(unique === natural[i] ? undefined : unique);
  }
  return out;
}
