/**
 * `checkpoint-kiosk verify [--trust FILE | --data-dir DIR] [--policy FILE] [--at ISO-TIME] [--explain] (PAYLOAD | -)`
 * Prints one JSON line {format, verdict, reasons, subject} (plus steps with --explain). A PAYLOAD
 * holding the chunks of a multi-QR SMART Health Card (`shc:/C/N/…`, separated by white space or
 * line breaks, in any order) is assembled and verified as one card (the `assemble` step).
 * `--data-dir` verifies with a kiosk's own signed trust bundle and configuration profile
 * (kiosk-verify-context.ts): the verdict that kiosk would give.
 * Exit 0 whenever a verdict was produced, 2 on a usage error (bad flag, unreadable trust or
 * policy file).
 */
import { EXIT } from '../exit-codes.js';
import { DEFAULT_FORMATS } from '../../credentials/registry.js';
import { EMPTY_TRUST, type TrustIndex } from '../../credentials/trust/types.js';
import { readTrustFile } from '../../credentials/trust/load.js';
import { KIOSK_DIR_PLACEHOLDER } from '../../credentials/trust/file-kind.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assessRefused, assessShcChunks, assessText } from '../../core/assess.js';
import { normalizeScanText } from '../../core/normalize.js';
import { readShcChunk } from '../../credentials/shc/chunks.js';
import { LIMITS, type VerifyStep } from '../../credentials/types.js';
import { DEFAULT_POLICY, type Policy } from '../../core/policy.js';
import { readPolicyFile } from '../../core/policy-file.js';
import { jsonLogger } from '../../core/system.js';
import { parseCommand, UsageError } from '../usage.js';
import { startsWithRealDate } from '../../credentials/text.js';
import { looksLikeUtf16, utf16ByteOrder, UTF16_HINT } from '../../shared/utf16.js';

/** The enrollment a kiosk keeps in its data dir (src/sync/enrollment.ts; not imported: verify starts light). */
const ENROLLMENT_FILE_NAME = 'enrollment.json';

// Enough for any QR payload plus slack; more than this is reported as too-large, not read.
const MAX_STDIN_BYTES = 1024 * 1024;

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    'verify',
    argv,
    {
      trust: { type: 'string' },
      'data-dir': { type: 'string' },
      policy: { type: 'string' },
      at: { type: 'string' },
      explain: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('verify: expects exactly one PAYLOAD argument (or - to read it from standard input)');
  const now = values.at === undefined ? new Date() : parseAt(values.at);
  if (values['data-dir'] !== undefined && values.trust !== undefined) {
    throw new UsageError('verify: give either --data-dir (the kiosk\'s own trust bundle) or --trust FILE, not both');
  }
  let trust = await loadTrust(values.trust);
  let policy = loadPolicy(values.policy);
  if (values['data-dir'] !== undefined) {
    // Loaded only here: a plain `verify` never pays for the sync modules at start.
    const { readKioskVerifyContext } = await import('./kiosk-verify-context.js');
    const kiosk = await readKioskVerifyContext(values['data-dir'], policy);
    for (const note of kiosk.notes) process.stderr.write(`verify: note: ${note}\n`);
    trust = kiosk.trust;
    policy = kiosk.policy;
  }
  const payload = positionals[0] === '-' ? await readStdin() : (positionals[0] ?? '');
  // The chunks of a multi-QR SMART Health Card, given together, are one card.
  const chunks = payload === undefined ? undefined : shcChunkTexts(payload);
  if (positionals[0] === '-' && payload !== undefined && !chunks) refuseSeveralLines(payload);
  const deps = {
    formats: DEFAULT_FORMATS,
    trust: () => trust,
    policy: () => policy,
    logger: jsonLogger({ namespace: 'verify', level: 'warn' }),
  };
  const { result, verdict } =
    payload === undefined
      ? assessRefused('too-large', `input is larger than ${MAX_STDIN_BYTES} bytes (1 MiB), the most verify reads from standard input; the largest QR code holds ${LIMITS.maxTextChars} characters`, now, deps)
      : chunks
        ? await assessShcChunks(chunks, now, deps)
        : await assessText(payload, now, deps);
  const line: Record<string, unknown> = {
    format: result.format,
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    subject: result.subject,
  };
  if (verdict.display.messages.length > 0) line.messages = verdict.display.messages;
  if (values.explain) line.steps = result.failures.length > 0 ? result.steps : [...result.steps, ...statusSteps(result.statusKeys, trust, now)];
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return EXIT.ok;
}

/**
 * The status-list lookups behind a verdict, for `--explain`: one failed step per live entry that
 * matched (`status-list`, naming the id, its status and its `until`), or one passed step saying
 * how many ids were looked up. Only a credential that verified is looked up, as in the kiosk.
 */
function statusSteps(keys: readonly string[], trust: TrustIndex, now: Date): VerifyStep[] {
  if (keys.length === 0) return [];
  const steps: VerifyStep[] = [];
  for (const key of new Set(keys)) {
    for (const hit of trust.statuses(key, now)) {
      steps.push({ step: 'status-list', ok: false, detail: `${hit.id} is listed as ${hit.status}${hit.until ? ` until ${hit.until}` : ''}` });
    }
  }
  const looked = new Set(keys).size;
  if (steps.length === 0) steps.push({ step: 'status-list', ok: true, detail: `not listed (${looked} id${looked === 1 ? '' : 's'} looked up)` });
  return steps;
}

/**
 * The texts of a payload holding the chunks of a multi-QR SMART Health Card (`shc:/C/N/…`, N > 1,
 * docs/FORMATS.md), separated by white space or line breaks: every text when there are at least
 * two and one of them is such a chunk (the others are then judged as chunks too: another code
 * mixed in is named, not ignored), else undefined — a payload of one text is read as it is. Each
 * line is one text, unless all its space-separated words start `shc:/` (chunks hold no space; an
 * ID card's line does).
 */
function shcChunkTexts(payload: string): string[] | undefined {
  const texts: string[] = [];
  for (const line of payload.split(/\r\n|\r|\n/)) {
    const words = line.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) continue;
    if (words.every((w) => /^\uFEFF?(?:\][A-Za-z][0-9A-Za-z])?shc:\//i.test(w))) texts.push(...words);
    else texts.push(line);
  }
  if (texts.length < 2) return undefined;
  const isChunk = (text: string) => {
    const norm = normalizeScanText(text);
    return norm.ok && readShcChunk(norm.text) !== undefined;
  };
  return texts.some(isChunk) ? texts : undefined;
}

/**
 * verify answers one payload with one JSON line (the contract), and no QR payload holds a line
 * break: several non-empty lines on stdin are several payloads, which read as one would get a
 * misleading verdict ("issue date (20 characters)"). Refused, naming the count and the way to do it.
 */
function refuseSeveralLines(text: string): void {
  const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '').length;
  if (lines > 1) {
    throw new UsageError(`verify: standard input holds ${lines} lines; give one payload per run (for a file of payloads: while IFS= read -r p; do checkpoint-kiosk verify "$p"; done < FILE)`);
  }
}

function parseAt(value: string): Date {
  // ISO 8601 allows an offset of whole hours (`+07`), which Date does not read: spelled out first.
  const spelled = /T[\d:.,]+[+-]\d\d$/.test(value) ? `${value}:00` : value;
  // A time without a zone is taken as UTC, like the EU DCC test vectors do.
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(spelled) || !spelled.includes('T') ? spelled : `${spelled}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw new UsageError(`verify: --at must be an ISO 8601 time, got "${value}"`);
  if (!startsWithRealDate(value)) throw new UsageError(`verify: --at names a date that does not exist: "${value}"`);
  return date;
}

async function loadTrust(file: string | undefined): Promise<TrustIndex> {
  if (file === undefined) return EMPTY_TRUST;
  try {
    return await readTrustFile(file);
  } catch (err) {
    let message = (err as Error).message;
    // A kiosk's own file, still in its data dir (enrollment.json beside it): name that dir.
    const dir = dirname(file);
    if (message.includes(KIOSK_DIR_PLACEHOLDER) && existsSync(join(dir, ENROLLMENT_FILE_NAME))) message = message.replace(KIOSK_DIR_PLACEHOLDER, dir);
    throw new UsageError(`verify: --trust ${message}`);
  }
}

function loadPolicy(file: string | undefined): Policy {
  if (file === undefined) return DEFAULT_POLICY;
  try {
    return readPolicyFile(file);
  } catch (err) {
    throw new UsageError(`verify: --policy ${(err as Error).message}`);
  }
}

/**
 * All of standard input as UTF-8, or undefined when it holds more than MAX_STDIN_BYTES: reading
 * stops there (at most one more chunk is held), so an endless pipe cannot fill the memory.
 */
async function readStdin(): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_STDIN_BYTES) {
      process.stdin.destroy();
      return undefined;
    }
    chunks.push(buf);
  }
  return stdinText(Buffer.concat(chunks));
}

/**
 * Standard input as text: UTF-8 (a UTF-8 byte order mark is left for the scan's normalisation to
 * drop), or UTF-16 when it starts with a UTF-16 byte order mark — what Windows Notepad saves as
 * "Unicode" and PowerShell 5 writes with `>`. Read as UTF-8, such a file was every other byte
 * NUL and was refused as "scan contains control characters", which named nothing a user could fix.
 */
export function stdinText(bytes: Buffer): string {
  const bom = utf16ByteOrder(bytes);
  // Two bytes per UTF-16 code unit: an odd length is a file cut short (its last byte was dropped before).
  if (bom && bytes.length % 2 === 1) {
    throw new UsageError(`verify: standard input starts with a UTF-16 byte order mark but holds an odd number of bytes (${bytes.length}): UTF-16 has two bytes per character, so it was cut short; send it whole, or as UTF-8`);
  }
  if (bom === 'le') return bytes.subarray(2).toString('utf16le');
  if (bom === 'be') {
    const le = Buffer.from(bytes.subarray(2));
    le.swap16();
    return le.toString('utf16le');
  }
  // Without a byte order mark UTF-16 read as UTF-8 is a NUL after every character (and its line
  // breaks made "standard input holds 3 lines"): named as what it is.
  if (looksLikeUtf16(bytes)) throw new UsageError(`verify: standard input ${UTF16_HINT} (e.g. iconv -f UTF-16LE -t UTF-8)`);
  return bytes.toString('utf8');
}
