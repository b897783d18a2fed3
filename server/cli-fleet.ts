/**
 * Fleet subcommands of `checkpoint-kiosk central` (argv is what follows the subcommand):
 *
 *   provision-card (--data-dir DIR | --database URL) --checkpoint ID [--direction in|out]
 *       [--profile venue|booth] [--ttl-hours N] [--config FILE] [--url URL] [--png FILE] [--json]
 *       prints the CKP1 card text (one line; {"card","checkpoint","expiresAt"} with --json)
 *   revoke-device (--data-dir DIR | --database URL) --device ID
 *   config set (--data-dir DIR | --database URL) (--device ID | --group G) --file profile.json
 *   config show (--data-dir DIR | --database URL) [--device ID]
 *   group set (--data-dir DIR | --database URL) --device ID --group G
 *   release add (--data-dir DIR | --database URL) --file APPIMAGE --version V [--staging-percentage N] [--releases-dir DIR]
 *   release set (--data-dir DIR | --database URL) --version V --staging-percentage N
 *   release list (--data-dir DIR | --database URL)
 *       one JSON line per release, highest version first, the one the feed serves marked served:true
 *
 * Exit codes (src/cli/exit-codes.ts): 0 ok, 1 runtime failure, 2 usage or configuration error — a
 * bad flag, no central database where the flags point, a device or release the server does not know.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { jsonLogger, systemClock } from '../src/core/system.js';
import { duplicateKeyMessage, firstDuplicateKey } from '../src/shared/duplicate-keys.js';
import { codePointName } from '../src/shared/text-safety.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_CARD_TTL_HOURS, PROVISIONING_LIMITS } from '../src/credentials/provisioning/index.js';
import { CHECKPOINT_ID, MAX_REMOTE_CONFIG_BYTES, RemoteConfigError, parseRemoteConfig } from '../src/fleet/remote-config.js';
import type { RemoteConfig } from '../src/fleet/remote-config.js';
import { DataKeyRefusedError, DatabaseSettingError, NoCentralDatabaseError } from './storage/errors.js';
import { checkDatabaseUrl } from './storage/postgres-storage.js';
import { cardPng, issueCard } from './provision.js';
import { FEED_OWN_FILE, ReleaseRefusedError, releaseVersionProblem, feedOwnFileProblem, decideRelease, discardStaged, placeRelease, stageRelease, type PreparedRelease, type StagedRelease } from './update-feed.js';
import { loadOrCreateEcKey } from './secrets.js';
import { openStorage } from './storage/open.js';
import type { StorageChoice } from './storage/open.js';
import type { CentralStorage } from './storage/types.js';
import type { ReleaseRecord } from './storage/fleet-types.js';
import { checkRegularFile } from '../drivers/file-check.js';
import { compareReleaseVersions } from './release-version.js';
import { userInfoProblem } from '../src/shared/server-url.js';

export interface FleetIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

class Usage extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

const DB_OPTIONS: Options = { 'data-dir': { type: 'string' }, database: { type: 'string' } };
const GROUP_NAME = /^[\w.:-]{1,64}$/;

function parse(sub: string, argv: string[], options: Options): Values {
  try {
    return parseArgs({ args: argv, options: { ...DB_OPTIONS, ...options }, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    throw new Usage(`central ${sub}: ${(err as Error).message}`);
  }
}

function storageChoice(sub: string, v: Values): StorageChoice {
  if (typeof v.database === 'string') {
    const problem = checkDatabaseUrl(v.database);
    if (problem) throw new Usage(`central ${sub}: --database: ${problem}`);
    return { database: v.database, ...(typeof v['data-dir'] === 'string' && v['data-dir'] ? { dataDir: v['data-dir'] } : {}) };
  }
  const dir = v['data-dir'];
  if (typeof dir !== 'string' || dir === '') throw new Usage(`central ${sub}: --data-dir DIR (SQLite) or --database postgres://USER@HOST:PORT/DB is required`);
  return { dataDir: dir };
}

/** Opens an existing central database (never creates one), runs `fn`, closes it. */
async function withStorage<T>(sub: string, choice: StorageChoice, fn: (storage: CentralStorage) => Promise<T>): Promise<T> {
  let storage: CentralStorage;
  try {
    // Fleet commands never read a check-in's subject: they work without the data key.
    storage = await openStorage({ ...choice, mustExist: true, identities: false, logger: jsonLogger({ namespace: 'central' }) });
  } catch (err) {
    if (err instanceof NoCentralDatabaseError || err instanceof DataKeyRefusedError || err instanceof DatabaseSettingError) throw new Usage(`central ${sub}: ${err.message}`);
    throw err;
  }
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

/** Reads a profile file; every message names the flag that gave it (`--file`, or provision-card's `--config`). */
function readConfigFile(sub: string, file: string, flag = '--file'): RemoteConfig {
  let text: string;
  const where = `central ${sub}: ${flag} ${file}`;
  const c = checkRegularFile(file);
  if (!c.ok) {
    if (c.problem === 'missing') throw new Usage(`${where}: no such file; check the path (read from ${process.cwd()} when relative)`);
    if (c.problem === 'no-access') throw new Usage(`${where}: cannot be reached by this user (permission denied on a folder); check the folder's permissions`);
    if (c.problem === 'other') throw new Usage(`${where}: cannot be read (${c.code})`);
    throw new Usage(`${where}: ${c.problem === 'folder' ? 'a directory' : 'not a regular file'}; name the JSON file that holds the profile`);
  }
  if (c.size > MAX_REMOTE_CONFIG_BYTES) throw new Usage(`${where}: ${c.size} bytes, larger than the ${MAX_REMOTE_CONFIG_BYTES}-byte limit of a profile`);
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Usage(`${where}: cannot be read by this user (${code ?? String(err)}); check its permissions`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Usage(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const dup = firstDuplicateKey(text);
  if (dup) throw new Usage(`${where}: ${duplicateKeyMessage(dup)}`);
  try {
    return parseRemoteConfig(json, path.basename(file));
  } catch (err) {
    if (err instanceof RemoteConfigError) throw new Usage(`central ${sub}: ${err.message}`);
    throw err;
  }
}

/**
 * What is wrong with a --checkpoint value CHECKPOINT_ID refuses, quoting it with control
 * characters escaped (a raw ESC would reach the terminal): empty, too long, or the first
 * character it does not take.
 */
function checkpointProblem(value: string): string {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value.length === 0) return 'is empty: give the checkpoint ID (1-64 letters, digits or . _ : -)';
  if (value.length > 64) return `${shown}: ${value.length} characters, at most 64`;
  const bad = [...value].find((ch) => !/^[\w.:-]$/.test(ch)) ?? '';
  const code = codePointName(bad);
  const what = /[\p{Cc}\p{Cf}]/u.test(bad) ? `a control character (${code})` : /\s/u.test(bad) ? `a space (${code})` : `"${bad}" (${code})`;
  return `${shown}: contains ${what}; use only the letters A-Z and a-z, digits and . _ : -`;
}

async function provisionCard(argv: string[], io: FleetIo): Promise<number> {
  const sub = 'provision-card';
  const v = parse(sub, argv, {
    checkpoint: { type: 'string' },
    direction: { type: 'string' },
    profile: { type: 'string' },
    'ttl-hours': { type: 'string' },
    config: { type: 'string' },
    url: { type: 'string' },
    png: { type: 'string' },
    json: { type: 'boolean' },
  });
  const choice = storageChoice(sub, v);
  const checkpoint = v.checkpoint;
  if (typeof checkpoint !== 'string') throw new Usage(`central ${sub}: --checkpoint ID is required (1-64 letters, digits or . _ : -)`);
  if (!CHECKPOINT_ID.test(checkpoint)) throw new Usage(`central ${sub}: --checkpoint ${checkpointProblem(checkpoint)}`);
  if (typeof v.png === 'string' && fs.existsSync(v.png)) throw new Usage(`central ${sub}: --png ${v.png} exists already; choose a new file name (nothing was issued)`);
  if (v.direction !== undefined && v.direction !== 'in' && v.direction !== 'out') throw new Usage(`central ${sub}: --direction must be in or out`);
  if (v.profile !== undefined && v.profile !== 'venue' && v.profile !== 'booth') throw new Usage(`central ${sub}: --profile must be venue or booth`);
  const ttlText = v['ttl-hours'];
  const ttl = ttlText === undefined ? DEFAULT_CARD_TTL_HOURS : Number(ttlText);
  if (ttlText !== undefined && (typeof ttlText !== 'string' || !/^\d+$/.test(ttlText) || ttl < 1 || ttl > PROVISIONING_LIMITS.maxValidHours)) {
    throw new Usage(`central ${sub}: --ttl-hours must be a whole number from 1 to ${PROVISIONING_LIMITS.maxValidHours}`);
  }
  const config = typeof v.config === 'string' ? readConfigFile(sub, v.config, '--config') : undefined;
  // The card's config is applied after its own members, so a value it names would silently win
  // over the flag (the card's output and the kiosk's event said one checkpoint, the kiosk stamped another).
  if (config) {
    const flags = { checkpoint, direction: v.direction, profile: v.profile };
    for (const key of ['checkpoint', 'direction', 'profile'] as const) {
      const flag = flags[key];
      const inFile = config[key];
      if (typeof flag === 'string' && inFile !== undefined && inFile !== flag) {
        throw new Usage(
          `central ${sub}: --${key} ${flag} and --config ${v.config as string} ("${key}": "${inFile}") disagree; the card would set ${key} ${inFile}: give one value (drop "${key}" from the file or change the flag); nothing was issued`,
        );
      }
    }
  }
  return withStorage(sub, choice, async (storage) => {
    const url = (v.url as string | undefined) ?? (await storage.fleet.serverSetting('public-url'));
    if (url === undefined) throw new Usage(`central ${sub}: the server's URL is not known yet: start the server once, or pass --url https://…`);
    const userInfo = userInfoProblem(url);
    if (userInfo) throw new Usage(`central ${sub}: ${v.url === undefined ? "the server's public URL" : '--url'}: ${userInfo} (nothing was issued)`);
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url) || url.length > PROVISIONING_LIMITS.urlChars) throw new Usage(`central ${sub}: --url must be an http(s) URL`);
    const root = await loadOrCreateEcKey(storage, 'root-key');
    const issued = await issueCard(
      storage,
      root.privateKey,
      {
        url,
        checkpoint,
        ...(v.direction ? { direction: v.direction as 'in' | 'out' } : {}),
        ...(v.profile ? { profile: v.profile as 'venue' | 'booth' } : {}),
        ...(config ? { config } : {}),
        ttlHours: ttl,
      },
      systemClock.now(),
    );
    // Exclusive ('wx'): a file made there since the check above is not replaced either.
    if (typeof v.png === 'string') fs.writeFileSync(v.png, await cardPng(issued.card), { mode: 0o600, flag: 'wx' });
    io.stdout(v.json ? `${JSON.stringify({ card: issued.card, checkpoint: issued.checkpoint, expiresAt: issued.expiresAt })}\n` : `${issued.card}\n`);
    return EXIT.ok;
  });
}

async function revokeDevice(argv: string[], io: FleetIo): Promise<number> {
  const sub = 'revoke-device';
  const v = parse(sub, argv, { device: { type: 'string' } });
  const choice = storageChoice(sub, v);
  const typed = v.device;
  if (typeof typed !== 'string' || typed.length === 0 || typed.length > 128) throw new Usage(`central ${sub}: --device ID is required`);
  return withStorage(sub, choice, async (storage) => {
    // A revoked device still exists (its row stays): the id resolves either way.
    const device = (await storedDeviceId(storage, typed)) ?? typed;
    // Idempotent: a device revoked before keeps its first revocation, and the answer says so.
    const earlier = await storage.fleet.revocation(device);
    if (!earlier && !(await storage.fleet.revokeDevice(device, systemClock.now()))) {
      throw new Usage(`central ${sub}: --device ${device}: no such device (see the dashboard's fleet page)`);
    }
    // What is stored, not the clock: two revocations racing keep the first, and so does the answer.
    const at = (await storage.fleet.revocation(device))?.revokedAt;
    if (earlier) io.stderr(`central ${sub}: device ${device} was already revoked at ${earlier.revokedAt}; nothing changed\n`);
    io.stdout(`${JSON.stringify({ event: 'revoked', device, at, ...(earlier ? { already: true } : {}) })}\n`);
    return EXIT.ok;
  });
}

async function configCmd(argv: string[], io: FleetIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'show') {
    const v = parse('config show', rest, { device: { type: 'string' } });
    const choice = storageChoice('config show', v);
    return withStorage('config show', choice, async (storage) => {
      const fleet = storage.fleet;
      if (typeof v.device === 'string') {
        // A mistyped ID would otherwise show an empty config, as if the device had none.
        const device = await requireDevice('config show', storage, v.device);
        const group = (await fleet.deviceGroups()).get(device) ?? null;
        io.stdout(`${JSON.stringify({ device, group, ...(await fleet.effectiveConfig(device)) })}\n`);
      } else {
        const profiles = await fleet.configProfiles(10_000);
        for (const p of profiles) io.stdout(`${JSON.stringify(p)}\n`);
        // stdout stays JSON lines for scripts (none here); the person at the terminal is told why.
        if (profiles.length === 0) {
          io.stderr('central config show: no configuration profiles yet; add one with `central config set (--data-dir DIR | --database URL) (--device ID | --group G) --file profile.json`\n');
        }
      }
      return EXIT.ok;
    });
  }
  if (action !== 'set') throw new Usage('central config: expected "set" or "show"');
  const sub = 'config set';
  const v = parse(sub, rest, { device: { type: 'string' }, group: { type: 'string' }, file: { type: 'string' } });
  const choice = storageChoice(sub, v);
  const hasDevice = typeof v.device === 'string';
  if (hasDevice === (typeof v.group === 'string')) throw new Usage(`central ${sub}: give exactly one of --device ID or --group G`);
  if (typeof v.group === 'string' && !GROUP_NAME.test(v.group)) throw new Usage(`central ${sub}: --group must be 1-64 letters, digits or . _ : -`);
  if (typeof v.file !== 'string') throw new Usage(`central ${sub}: --file profile.json is required`);
  const config = readConfigFile(sub, v.file);
  return withStorage(sub, choice, async (storage) => {
    const scope = hasDevice ? 'device' : 'group';
    const target = hasDevice ? await requireDevice(sub, storage, v.device as string) : (v.group as string);
    const version = await storage.fleet.setConfigProfile(scope, target, config as Record<string, unknown>, systemClock.now());
    io.stdout(`${JSON.stringify({ event: 'config-set', scope, target, version })}\n`);
    return EXIT.ok;
  });
}

async function groupCmd(argv: string[], io: FleetIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'set') throw new Usage('central group: expected "set"');
  const sub = 'group set';
  const v = parse(sub, rest, { device: { type: 'string' }, group: { type: 'string' } });
  const choice = storageChoice(sub, v);
  if (typeof v.device !== 'string' || typeof v.group !== 'string' || !GROUP_NAME.test(v.group)) throw new Usage(`central ${sub}: --device ID and --group G are required`);
  return withStorage(sub, choice, async (storage) => {
    const device = await requireDevice(sub, storage, v.device as string);
    await storage.fleet.setDeviceGroup(device, v.group as string);
    io.stdout(`${JSON.stringify({ event: 'group-set', device, group: v.group })}\n`);
    return EXIT.ok;
  });
}

/**
 * The stored id of `--device ID`: as typed, else lower-cased — device ids are UUIDs the server
 * writes in lower case, and an id copied from a tool that shows them in upper case is the same
 * device (check-in and override ids are case-insensitive too). Undefined when neither exists.
 */
async function storedDeviceId(storage: { fleet: { deviceExists(id: string): Promise<boolean> } }, device: string): Promise<string | undefined> {
  if (await storage.fleet.deviceExists(device)) return device;
  const lower = device.toLowerCase();
  return lower !== device && (await storage.fleet.deviceExists(lower)) ? lower : undefined;
}

/**
 * A profile or group stored for a device that does not exist would wait forever for nobody:
 * refused like revoke-device's. Returns the stored id (storedDeviceId).
 */
async function requireDevice(sub: string, storage: { fleet: { deviceExists(id: string): Promise<boolean> } }, device: string): Promise<string> {
  const id = await storedDeviceId(storage, device);
  if (id === undefined) throw new Usage(`central ${sub}: --device ${device}: no such device (see the dashboard's fleet page)`);
  return id;
}

function percentFlag(sub: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value) || Number(value) > 100) throw new Usage(`central ${sub}: --staging-percentage must be a whole number 0..100`);
  return Number(value);
}

/**
 * Why `path` cannot be published as a release (plain words), or undefined when it is a readable
 * file: a missing path, a directory (e.g. electron-builder's dist/ instead of the AppImage in it),
 * anything else that is not a regular file.
 */
function releaseFileProblem(file: string): string | undefined {
  const expected = 'expected the AppImage file to publish (e.g. dist/checkpoint-kiosk-1.4.0.AppImage)';
  const c = checkRegularFile(file);
  if (!c.ok) {
    if (c.problem === 'missing') return `no such file (read from ${process.cwd()} when relative); ${expected}`;
    if (c.problem === 'no-access') return `cannot be reached by this user (permission denied on a folder); ${expected}`;
    if (c.problem === 'folder') return `is a directory; ${expected}, not the folder holding it`;
    if (c.problem === 'not-file') return `is not a regular file; ${expected}`;
    return `cannot be read (${c.code}); ${expected}`;
  }
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    return `cannot be read by this user; check its permissions (${expected})`;
  }
  return undefined;
}

/**
 * Why the readable file `file` is not an AppImage (plain words), or undefined when it is one: an
 * AppImage is an ELF file (0x7F 'E' 'L' 'F') carrying the AppImage magic 'A' 'I' and its type
 * (0x01 or 0x02) at offset 8 (AppImage specification, type 2 image format). Anything else (an empty
 * file, the feed's yml saved under an .AppImage name) would become the release kiosks install.
 */
function notAppImageProblem(file: string): string | undefined {
  const expected = 'expected the AppImage file to publish (e.g. dist/checkpoint-kiosk-1.4.0.AppImage)';
  const head = Buffer.alloc(11);
  let n = 0;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    while (n < head.length) {
      const got = fs.readSync(fd, head, n, head.length - n, n);
      if (got === 0) break;
      n += got;
    }
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ${expected}`;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (n === 0) return `is empty (0 bytes), not an AppImage; ${expected}`;
  const elf = n >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
  if (!elf) {
    const text = [...head.subarray(0, n)].every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f));
    return `is not an AppImage: it does not start with the ELF magic (0x7F 'E' 'L' 'F') every AppImage starts with${text ? ' (it looks like a text file)' : ''}; ${expected}`;
  }
  if (n < 11 || head[8] !== 0x41 || head[9] !== 0x49 || (head[10] !== 0x01 && head[10] !== 0x02)) {
    return `is an ELF file but not an AppImage: it has no AppImage magic ('A' 'I' and type 1 or 2 at offset 8); ${expected}`;
  }
  return undefined;
}

async function releaseCmd(argv: string[], io: FleetIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'add') {
    const sub = 'release add';
    const v = parse(sub, rest, { file: { type: 'string' }, version: { type: 'string' }, 'staging-percentage': { type: 'string' }, 'releases-dir': { type: 'string' } });
    const choice = storageChoice(sub, v);
    if (typeof v.file !== 'string' || v.file === '') throw new Usage(`central ${sub}: --file APPIMAGE: required, the AppImage file to publish (e.g. dist/checkpoint-kiosk-1.4.0.AppImage)`);
    const fileProblem = releaseFileProblem(v.file);
    if (fileProblem) throw new Usage(`central ${sub}: --file ${v.file}: ${fileProblem}`);
    if (FEED_OWN_FILE.test(path.basename(v.file))) throw new Usage(`central ${sub}: --file ${v.file}: ${feedOwnFileProblem(path.basename(v.file))}`);
    const notAppImage = notAppImageProblem(v.file);
    if (notAppImage) throw new Usage(`central ${sub}: --file ${v.file}: ${notAppImage}`);
    if (typeof v.version !== 'string') throw new Usage(`central ${sub}: --version must be a semantic version such as 1.4.0`);
    const versionProblem = releaseVersionProblem(v.version);
    if (versionProblem) throw new Usage(`central ${sub}: --version ${v.version}: ${versionProblem}`);
    const releasesDir = typeof v['releases-dir'] === 'string' ? v['releases-dir'] : path.join(choice.dataDir ?? '.', 'releases');
    // Undefined when not given: a version published already keeps its staged rollout (a CI retry must not widen it).
    const pct = v['staging-percentage'] === undefined ? undefined : percentFlag(sub, v['staging-percentage'], 100);
    const file = v.file;
    const version = v.version;
    return withStorage(sub, choice, async (storage) => {
      let staged: StagedRelease | undefined;
      let prepared: PreparedRelease | undefined;
      let before: ReleaseRecord | undefined;
      try {
        // Checked first against what is published (a refusal copies nothing), then again under the
        // database's lock, where the record is written: of two adds at once, the second sees the first.
        staged = await stageRelease(file, releasesDir, version, pct, systemClock.now(), await storage.fleet.releases(100_000));
        const s = staged;
        await storage.fleet.addRelease((published) => {
          const decided = decideRelease(s, published);
          before = published.find((r) => r.version === decided.release.version);
          placeRelease(s, decided);
          prepared = decided;
          return !decided.republished || before?.stagingPercentage !== decided.release.stagingPercentage ? decided.release : undefined;
        });
      } catch (err) {
        if (err instanceof ReleaseRefusedError) throw new Usage(`central ${sub}: --file ${file}: ${err.message}`);
        throw err;
      } finally {
        discardStaged(staged);
      }
      const { release, republished } = prepared as PreparedRelease;
      const served = await storage.fleet.latestRelease();
      io.stdout(
        `${JSON.stringify({ event: 'release-added', version: release.version, file: release.file, size: release.size, stagingPercentage: release.stagingPercentage, served: served?.version ?? null, ...(republished ? { already: true } : {}) })}\n`,
      );
      if (republished) {
        const what =
          before?.stagingPercentage === release.stagingPercentage
            ? `nothing changed (its staging percentage stays ${release.stagingPercentage} %)`
            : `its staging percentage is now ${release.stagingPercentage} % (was ${before?.stagingPercentage ?? '?'} %), nothing else changed`;
        io.stderr(`central ${sub}: release ${release.version} was already published with these bytes (${release.file}); ${what}\n`);
      }
      // Publishing an older version is allowed (it is recorded and listed) but the feed keeps serving the highest one.
      if (served && served.version !== release.version) io.stderr(`central ${sub}: ${release.version} is recorded, but the feed keeps serving ${served.version}, the highest version published\n`);
      return EXIT.ok;
    });
  }
  if (action === 'list') {
    const sub = 'release list';
    const v = parse(sub, rest, {});
    const choice = storageChoice(sub, v);
    return withStorage(sub, choice, async (storage) => {
      // Highest version first (semver precedence, the feed's own order); the served one is marked.
      const releases = [...(await storage.fleet.releases(100_000))].sort((a, b) => compareReleaseVersions(b.version, a.version));
      const served = (await storage.fleet.latestRelease())?.version;
      for (const r of releases) {
        io.stdout(`${JSON.stringify({ version: r.version, file: r.file, size: r.size, sha512: r.sha512, stagingPercentage: r.stagingPercentage, releasedAt: r.releasedAt, served: r.version === served })}\n`);
      }
      // stdout stays JSON lines for scripts (none here); the person at the terminal is told why.
      if (releases.length === 0) io.stderr(`central ${sub}: no releases yet; publish one with \`central release add (--data-dir DIR | --database URL) --file APPIMAGE --version V\`\n`);
      return EXIT.ok;
    });
  }
  if (action !== 'set') throw new Usage('central release: expected "add", "set" or "list"');
  const sub = 'release set';
  const v = parse(sub, rest, { version: { type: 'string' }, 'staging-percentage': { type: 'string' } });
  const choice = storageChoice(sub, v);
  if (typeof v.version !== 'string') throw new Usage(`central ${sub}: --version V is required`);
  const setVersionProblem = releaseVersionProblem(v.version);
  if (setVersionProblem) throw new Usage(`central ${sub}: --version ${v.version}: ${setVersionProblem}`);
  if (v['staging-percentage'] === undefined) throw new Usage(`central ${sub}: --staging-percentage N is required`);
  const pct = percentFlag(sub, v['staging-percentage'], 100);
  return withStorage(sub, choice, async (storage) => {
    const release = (await storage.fleet.releases(100_000)).find((r) => r.version === v.version);
    if (!release) throw new Usage(`central ${sub}: --version ${v.version as string}: no such release (publish it with central release add)`);
    // Only the served release's share reaches kiosks: changing another one would print success and change nothing.
    const served = await storage.fleet.latestRelease();
    if (served && served.version !== release.version) {
      throw new Usage(
        `central ${sub}: --version ${release.version}: the feed serves ${served.version} (the highest version published), not ${release.version}, so its staging percentage would reach no kiosk; set it on ${served.version} instead (--staging-percentage 0 stops offering ${served.version})`,
      );
    }
    await storage.fleet.putRelease({ ...release, stagingPercentage: pct });
    io.stdout(`${JSON.stringify({ event: 'release-set', version: release.version, stagingPercentage: pct })}\n`);
    return EXIT.ok;
  });
}

export const FLEET_SUBCOMMANDS = ['provision-card', 'revoke-device', 'config', 'group', 'release'] as const;

/** Runs a fleet subcommand; returns the exit code (usage errors: 2, with the message on stderr). */
export async function fleetCommand(sub: (typeof FLEET_SUBCOMMANDS)[number], argv: string[], io: FleetIo): Promise<number> {
  try {
    switch (sub) {
      case 'provision-card':
        return await provisionCard(argv, io);
      case 'revoke-device':
        return await revokeDevice(argv, io);
      case 'config':
        return await configCmd(argv, io);
      case 'group':
        return await groupCmd(argv, io);
      case 'release':
        return await releaseCmd(argv, io);
    }
  } catch (err) {
    if (err instanceof Usage) {
      io.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
    // The same prefix as its usage errors: "central release add: …", not "checkpoint-kiosk central release: …".
    const action = argv[0] !== undefined && /^[a-z]+$/.test(argv[0]) && sub !== 'provision-card' && sub !== 'revoke-device' ? ` ${argv[0]}` : '';
    io.stderr(`central ${sub}${action}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  }
}
