/**
 * Usage texts of `checkpoint-kiosk central …` (and of the stand-alone dist/cli/central.js, which
 * takes the same arguments). Each subcommand has its own text (`central trace --help`); the
 * overview (`central --help`, and the central half of `checkpoint-kiosk --help`) is made from
 * their synopses and summaries, so the two cannot drift apart.
 */

/** One command's help: synopsis lines (without the leading "  "), one-paragraph summary, flags. */
export interface CommandHelp {
  synopsis: string;
  summary: string;
  /** "  --flag VALUE   what it does" lines; empty when the command takes none of its own. */
  options: string;
}

const STORE = `  --data-dir DIR          the server's SQLite database and keys (the embedded default)
  --database URL          postgres://USER@HOST:PORT/DB instead (keys included); --data-dir then
                          only for files (releases, the data key of a sealed database)`;

/** Keys are the subcommand words as typed: "serve" is `central` without a subcommand. */
export const CENTRAL_COMMANDS: Record<string, CommandHelp> = {
  serve: {
    synopsis: `checkpoint-kiosk central (--data-dir DIR | --database postgres://USER@HOST:PORT/DB [--data-dir DIR])
      [--port N] [--host ADDRESS] [--trust FILE] [--enrollment-code CODE ...] [--time-zone ZONE]
      [--retention-days N]`,
    summary: `Runs the reference central server (default 127.0.0.1:8080) on SQLite in the data dir, or
    on PostgreSQL with --database (several nodes may share it); prints {"event":"listening","url"}.
    --time-zone (IANA name, default Asia/Ho_Chi_Minh) decides what "today" is on the dashboard.
    --retention-days (default 21): older check-ins are purged hourly, with receipts in the audit log;
    one value per database: without the flag the recorded one applies, and on PostgreSQL a node given
    another value is refused (exit 2); change it for every node with central retention-days --set N.
    An --enrollment-code must be 8-128 characters from A-Z, 0-9 and '-', at least 6 letters or digits.`,
    options: `${STORE}
  --port N                TCP port, 0-65535 (default 8080; 0 picks a free one)
  --host ADDRESS          address to listen on (default 127.0.0.1)
  --trust FILE            the trust bundle to publish (docs/TRUST-BUNDLE.md)
  --enrollment-code CODE  a one-time enrollment code accepted from the start (repeatable)
  --time-zone ZONE        IANA zone of the dashboard's "today" (default Asia/Ho_Chi_Minh)
  --retention-days N      days check-ins are kept, 1-3650 (default: the value recorded in
                          the database, else 21)`,
  },
  'retention-days': {
    synopsis: 'checkpoint-kiosk central retention-days (--data-dir DIR | --database URL) [--set N]',
    summary: `The days check-ins are kept, one value for every node of the database: {"retentionDays","recorded"}.
    --set N records a new value (audited); running nodes take it at their next hourly purge.`,
    options: `${STORE}
  --set N                 keep check-ins N days from now on, 1-3650`,
  },
  'enroll-code': {
    synopsis: 'checkpoint-kiosk central enroll-code (--data-dir DIR | --database URL) [--ttl-hours N]',
    summary: 'A new one-time enrollment code for a kiosk (default valid 24 hours): {"code","expiresAt"}.',
    options: `${STORE}
  --ttl-hours N           hours the code stays valid, 1-2160 (default 24)`,
  },
  'admin-token': {
    synopsis: 'checkpoint-kiosk central admin-token (--data-dir DIR | --database URL) [--rotate]',
    summary: `The token of the dashboard, stats and tracing; --rotate replaces it (audited) and prints the new one.
    Running servers take it within 30 s; the old token and every dashboard sign-in made with it are refused.`,
    options: `${STORE}
  --rotate                replace the token with a new random one`,
  },
  export: {
    synopsis: `checkpoint-kiosk central export (--data-dir DIR | --database URL)
checkpoint-kiosk central export (--data-dir DIR | --database URL) --from ISO-TIME --to ISO-TIME
      [--checkpoint ID] --requested-by WHO --reason WHY --out FILE [--time-zone ZONE]`,
    summary: `Every received check-in, one JSON line each, oldest first (audited: when and how many).
    With --from/--to: the lawful export, the check-ins of the range as one root-key-signed JWS file;
    audited with who asked and why.`,
    options: `${STORE}
  --from ISO-TIME, --to ISO-TIME   the range of scan times (lawful export); a time without Z
                          or an offset (2026-12-06T08:00) is read in the server's time zone;
                          from included, to not (--from 2026-11-30 --to 2026-12-01: one day)
  --time-zone ZONE        IANA zone for times without one (default: the --time-zone the
                          server last started with, else Asia/Ho_Chi_Minh)
  --checkpoint ID         only this checkpoint, matched exactly (lawful export); one that no
                          check-in or heartbeat ever named is warned about (stderr and the
                          printed "warning"), naming the known ones; the export is still written
  --requested-by WHO      who asked for it, recorded in the audit log (lawful export)
  --reason WHY            why, recorded in the audit log (lawful export)
  --out FILE              where the signed export is written; must not exist (lawful export)`,
  },
  audit: {
    synopsis: 'checkpoint-kiosk central audit (--data-dir DIR | --database URL) [--verify]',
    summary: `The server's hash-chained audit log (purge receipts, exports, traces), or --verify the chain
    ({"ok":true,…} exit 0, {"ok":false,"brokenAt",…} exit 1).`,
    options: `${STORE}
  --verify                recompute the hash chain instead of printing it`,
  },
  trace: {
    synopsis: `checkpoint-kiosk central trace (--data-dir DIR | --database URL) --id ID --from ISO-TIME
      --to ISO-TIME [--window-minutes N] [--time-zone ZONE]`,
    summary: "A person's check-ins and everyone at the same checkpoint within ±N minutes (default 30); audited (range and counts, never the ID).",
    options: `${STORE}
  --id ID                 the ID number (CCCD, QID) to trace
  --from ISO-TIME, --to ISO-TIME   the period searched; a time without Z or an offset
                          (2026-12-06T08:00) is read in the server's time zone;
                          from included, to not (--from 2026-11-30 --to 2026-12-01: one day)
  --window-minutes N      contacts within ±N minutes (default 30); each contact is listed
                          once, under the nearest landmark; more than 20,000 check-ins near
                          the landmarks refuse the trace (exit 2): narrow the range or window
  --time-zone ZONE        IANA zone for times without one (default: the --time-zone the
                          server last started with, else Asia/Ho_Chi_Minh)`,
  },
  'trust-bundle': {
    synopsis: 'checkpoint-kiosk central trust-bundle (--data-dir DIR | --database URL) [--out FILE]',
    summary: 'The trust bundle the server publishes, as plain JSON for --trust FILE.',
    options: `${STORE}
  --out FILE              write it to FILE (whole or not at all) instead of stdout`,
  },
  'provision-card': {
    synopsis: `checkpoint-kiosk central provision-card (--data-dir DIR | --database URL) --checkpoint ID
      [--direction in|out] [--profile venue|booth] [--ttl-hours N] [--config FILE] [--url URL]
      [--png FILE] [--json]`,
    summary: 'A single-use CKP1 provisioning card (one line; {"card","checkpoint","expiresAt"} with --json).',
    options: `${STORE}
  --checkpoint ID         the checkpoint the kiosk takes (1-64 letters, digits or . _ : -)
  --direction in|out      its direction
  --profile venue|booth   its profile
  --ttl-hours N           hours the card stays valid (default 24, at most 7 days)
  --config FILE           a configuration profile carried by the card (a checkpoint, direction or
                          profile in it that differs from the flag's is refused)
  --url URL               the server URL kiosks enroll at (default: the one the server last ran at);
                          without a user name or password (http://USER:PW@… is refused: kiosks sign in by token)
  --png FILE              also write the card's QR code as a PNG (a new file: an existing one is refused)
  --json                  print {"card","checkpoint","expiresAt"} instead of the card text`,
  },
  'revoke-device': {
    synopsis: 'checkpoint-kiosk central revoke-device (--data-dir DIR | --database URL) --device ID',
    summary: `Cuts a device off at once on every node; it keeps its queue for a new enrollment:
    {"event":"revoked","device","at"}. Revoking a revoked device keeps the first revocation and
    answers with its time and "already":true (exit 0).`,
    options: `${STORE}
  --device ID             the device id (dashboard's fleet page)`,
  },
  'config set': {
    synopsis: `checkpoint-kiosk central config set (--data-dir DIR | --database URL) (--device ID | --group G)
      --file profile.json`,
    summary: 'Stores a new version of a configuration profile (unknown keys refused); kiosks fetch it signed.',
    options: `${STORE}
  --device ID | --group G the profile's target: one device, or a group
  --file profile.json     the profile (README: Running a fleet)`,
  },
  'config show': {
    synopsis: 'checkpoint-kiosk central config show (--data-dir DIR | --database URL) [--device ID]',
    summary: "Every stored profile, or with --device the device's group and effective profile.",
    options: `${STORE}
  --device ID             show what is in force for this device`,
  },
  'group set': {
    synopsis: 'checkpoint-kiosk central group set (--data-dir DIR | --database URL) --device ID --group G',
    summary: 'Puts a device in a group (its group profile applies under its own).',
    options: `${STORE}
  --device ID             the device
  --group G               the group (1-64 letters, digits or . _ : -)`,
  },
  'release add': {
    synopsis: `checkpoint-kiosk central release add (--data-dir DIR | --database URL) --file APPIMAGE --version V
      [--staging-percentage N] [--releases-dir DIR]`,
    summary:
      'Publishes an AppImage on the update feed at <server>/updates (electron-updater generic provider).\n' +
      'The feed serves the highest version published. A published AppImage is never replaced: the same version\n' +
      'with the same bytes again changes nothing but the staging percentage, and that only when it is given;\n' +
      'other bytes for a published version, bytes published as another version, and a file name already used by\n' +
      'another release are refused (exit 2), and so is a file named like the feed\'s own (a .yml or .blockmap).\n' +
      'The checks and the record are one step under the database\'s lock:\n' +
      'of two adds started together, the second sees the first.',
    options: `${STORE}
  --file APPIMAGE         the AppImage file to publish (not the folder holding it)
  --version V             its semantic version, e.g. 1.4.0
  --staging-percentage N  share of kiosks that take it, 0-100 (default 100 for a new version;
                          a version added again keeps its share unless this is given)
  --releases-dir DIR      where releases are kept (default DIR/releases)`,
  },
  'release set': {
    synopsis: `checkpoint-kiosk central release set (--data-dir DIR | --database URL) --version V
      --staging-percentage N`,
    summary: 'Widens or narrows the staged rollout of the release the feed serves (the highest version).',
    options: `${STORE}
  --version V             the release
  --staging-percentage N  share of kiosks that take it, 0-100`,
  },
  'release list': {
    synopsis: 'checkpoint-kiosk central release list (--data-dir DIR | --database URL)',
    summary:
      'Lists the releases published, one JSON line each, highest version first: version, file, size, sha512,\n' +
      'stagingPercentage, releasedAt and served (true for the one the feed serves). None yet: said on stderr, exit 0.',
    options: STORE,
  },
};

/** Subcommands with a second word: `central config --help` shows both of its actions. */
const GROUPS: Record<string, string[]> = {
  config: ['config set', 'config show'],
  group: ['group set'],
  release: ['release add', 'release set', 'release list'],
};

export const EXIT_CODES_HELP = 'Exit codes (every command): 0 ok, 1 runtime failure (message on stderr), 2 usage or configuration\nerror: a bad flag, or a file, data dir, database, device or release it names that does not exist.';

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `${by}${l}`))
    .join('\n');
}

/** A summary re-indented by `by` (its source lines carry their own indentation). */
function paragraph(summary: string, by: string): string {
  return indent(
    summary
      .split('\n')
      .map((l) => l.trim())
      .join('\n'),
    by,
  );
}

/** Synopsis and summary of a command, as the overview lists it. */
export function overviewEntry(help: CommandHelp): string {
  return `${indent(help.synopsis, '  ')}\n${paragraph(help.summary, '      ')}\n`;
}

/** The full help of one command: usage, what it does, its options, the exit codes. */
export function commandHelp(help: CommandHelp, extra = ''): string {
  const options = help.options ? `\nOptions:\n${help.options}\n` : '';
  return `Usage:\n${indent(help.synopsis, '  ')}\n\n${paragraph(help.summary, '  ')}\n${options}${extra}\n${EXIT_CODES_HELP}\n`;
}

/** The central half of the overview: the server and every subcommand's synopsis. */
export function centralOverview(): string {
  return Object.values(CENTRAL_COMMANDS).map(overviewEntry).join('');
}

/**
 * The help for `central [SUB [ACTION]] --help`: the named subcommand's own text; for a group
 * without its action, every action's; without a subcommand, the server's and a list of the others.
 * Undefined for a subcommand that does not exist.
 */
export function centralHelp(words: string[]): string | undefined {
  const [sub, action] = words;
  if (sub === undefined) {
    const others = Object.entries(CENTRAL_COMMANDS)
      .filter(([k]) => k !== 'serve')
      .map(([, h]) => indent(h.synopsis.split('\n')[0] ?? '', '  '))
      .join('\n');
    return commandHelp(CENTRAL_COMMANDS.serve as CommandHelp, `\nSubcommands (checkpoint-kiosk central SUBCOMMAND --help for each):\n${others}\n`);
  }
  const group = GROUPS[sub];
  if (group) {
    const one = action === undefined ? undefined : CENTRAL_COMMANDS[`${sub} ${action}`];
    if (one) return commandHelp(one);
    return group.map((k) => commandHelp(CENTRAL_COMMANDS[k] as CommandHelp)).join('\n');
  }
  const help = CENTRAL_COMMANDS[sub];
  return help && sub !== 'serve' ? commandHelp(help) : undefined;
}
