/**
 * Usage texts of `checkpoint-kiosk`: `--help` prints the overview (every command with its synopsis,
 * the URI syntaxes, exit codes), `COMMAND --help` that command's own usage with its options. Both
 * are made from the same entries (the central ones live in server/cli-help.ts), so they cannot
 * drift apart. The README's command-line section shows the same (test/unit/cli-help.test.ts checks
 * that nothing the README names is missing here).
 */
import { centralOverview, commandHelp, EXIT_CODES_HELP, overviewEntry, type CommandHelp } from '../../server/cli-help.js';

const SCANNER_URIS = `Scanner URIs (--scanner, repeatable):
  serial:PATH[?baud=9600&maxLine=8192&idleMs=100]   serial or USB-CDC scanner
  hid:VID:PID[?layout=us|de]                         USB HID scanner in keyboard mode (hidraw)
  hid-pos:auto | hid-pos:VID:PID[?init=1|0]          USB HID POS scanner (usage page 0x8C)
  sim:FILE[?intervalMs=N&loop=1&maxLine=8192]       replays a file, one scan per line
                                                     (intervalMs default 0; 500 with loop=1)
  stdin[?maxLine=8192&idleMs=0]                      one scan per line on standard input
  camera:/dev/video0 | camera:rtsp://… | camera:http://… | camera:FILE
      [?fps=10&width=1280&height=720&roi=x,y,w,h&loop=1]  webcam, IP camera or video file read for QR codes
  auto                                               every scanner \`devices\` recommends
  A URI that can never work (unknown kind, bad option, a sim:/camera: file that is missing) or the
  same scanner given twice is refused at start (exit 2); a device not plugged in yet is shown
  disconnected and retried.
`;

const OUTPUT_URIS = `Output URIs (--relay, repeatable; --beeper is short for --relay beeper):
  hid-relay[:VID:PID][?channel=1&pulseMs=800&on=accept&path=/dev/hidrawN]   USB HID relay board
  serial-relay:PATH[?channel=1&pulseMs=800&protocol=lctech&baud=9600&on=accept]
                                                     LC-Tech style serial relay board
  beeper[?on=accept,reject,refer]                    the scanner's own good/bad beep
  none
`;

/** The kiosk's own commands, in the order the overview lists them. */
export const KIOSK_COMMANDS: Record<string, CommandHelp & { extra?: string }> = {
  run: {
    synopsis: `checkpoint-kiosk run --data-dir DIR --scanner URI [--scanner URI ...]
      [--server URL [--server URL ...] [--enroll CODE]] [--ca FILE] [--heartbeat-seconds N] [--sync-seconds N]
      [--trust FILE] [--policy FILE] [--checkpoint ID] [--direction in|out]
      [--ui none|web] [--port N] [--relay URI ...] [--beeper] [--profile venue|booth]
      [--time-zone NAME] [--rotate-web-token] [--drain-seconds N]
checkpoint-kiosk run --data-dir DIR --set-pin < pin.txt`,
    summary: `Runs the kiosk. stdout: JSON lines ({"event":"ready"}, one {"event":"checkin",…} per
    committed scan, {"event":"duplicate","of":ID}, {"event":"ui","url"} with --ui web).
    A scanned provisioning card (CKP1:) enrolls a kiosk that is not enrolled: no --server needed.
    SIGTERM/SIGINT stop it gracefully. With only finite sources (stdin, sim:FILE, camera:FILE
    without loop) a headless run ends by itself at the end of input, after a bounded try to
    deliver what is pending (--drain-seconds). --set-pin stores the
    technician PIN (6-12 digits, read from stdin) and exits: {"event":"pin-set"}.
    CHECKPOINT_KIOSK_PIN_FILE names a 0600 file holding the technician PIN.`,
    options: `  --data-dir DIR          the kiosk's database, keys and settings (created 0700)
  --scanner URI           a scanner (repeatable; see below). May be left out with --ui web
                          (a keyboard-wedge scanner types into the window)
  --server URL            the central server (repeatable: nodes of one service, failover in order);
                          no user name or password in it (http://USER:PW@… is refused: the kiosk signs in by token)
  --enroll CODE           one-time enrollment code (needs --server; never replayed)
  --ca FILE               PEM certificate of a private CA for the server's TLS
  --heartbeat-seconds N   heartbeat period, 5-86400 (default 60)
  --sync-seconds N        how often the trust bundle and configuration profile are checked,
                          5-86400 (default 900)
  --trust FILE            trust bundle (docs/TRUST-BUNDLE.md); kept fresh from the server once enrolled
  --policy FILE           policy file (docs/POLICY.md)
  --checkpoint ID         checkpoint id (remembered)
  --direction in|out      direction (remembered; default in)
  --ui none|web           none: JSON lines only (default); web: the screens on 127.0.0.1
  --port N                web mode's port (default: a free one)
  --relay URI             a gate relay or other output (repeatable; see below)
  --beeper                short for --relay beeper
  --profile venue|booth   venue = public screens only, booth = officer screens (remembered)
  --time-zone NAME        IANA zone of the booth and technician screens (default Asia/Ho_Chi_Minh)
  --rotate-web-token      replace the URL token kept in <data-dir>/web-token (web mode)
  --drain-seconds N       headless run with only finite sources, at the end of input: how long to
                          try to deliver pending check-ins before exiting, 0-600 (default 10);
                          what is left is named as {"event":"pending",…} and sent at the next start
  --set-pin               read the technician PIN from stdin, store it, exit`,
    extra: `\n${SCANNER_URIS}\n${OUTPUT_URIS}`,
  },
  verify: {
    synopsis: 'checkpoint-kiosk verify [--trust FILE | --data-dir DIR] [--policy FILE] [--at ISO-TIME] [--explain] (PAYLOAD | -)',
    summary: `Verifies one payload (- reads it from stdin: one line, at most 1 MiB) and prints {"format",
    "verdict","reasons","subject"}; exit 0 whenever a verdict was produced. The chunks of a
    multi-QR SMART Health Card (shc:/C/N/…), separated by spaces or line breaks, are one payload.`,
    options: `  --trust FILE            trust bundle to verify signatures against: the plain JSON file
                          (\`central trust-bundle --out FILE\`), not a kiosk's trust-bundle.jws
  --data-dir DIR          verify as the kiosk with this data dir would: its signed trust bundle
                          (checked against the key it pinned at enrollment) and its central
                          configuration profile's policy (over --policy FILE, if given)
  --policy FILE           policy file that turns findings into a verdict
  --at ISO-TIME           verify as of this time (no zone: UTC)
  --explain               add every verification step with pass/fail`,
  },
  export: {
    synopsis: 'checkpoint-kiosk export --data-dir DIR [--reveal [--pin-file FILE]]',
    summary: `The kiosk's own check-ins (pending and forwarded), one JSON line each. Identity fields only
    with --reveal and the technician PIN (from --pin-file or stdin); the reveal is audited.`,
    options: `  --data-dir DIR          the kiosk's data dir
  --reveal                print identity fields in full (needs the technician PIN)
  --pin-file FILE         read the PIN from FILE (mode 0600) instead of the first line of stdin`,
  },
  audit: {
    synopsis: 'checkpoint-kiosk audit --data-dir DIR [--verify]',
    summary: `The kiosk's hash-chained audit log (purge receipts included), or --verify the chain
    ({"ok":true,…} exit 0, {"ok":false,"brokenAt",…} exit 1).`,
    options: `  --data-dir DIR          the kiosk's data dir (opened read-only)
  --verify                recompute the hash chain instead of printing it`,
  },
  devices: {
    synopsis: 'checkpoint-kiosk devices',
    summary: `Scanners and cameras found (serial, HID and V4L2 cameras), one JSON line each, with the
    recommended URI and whether \`--scanner auto\` would open it (auto never opens a camera).`,
    options: '',
  },
};

/** `checkpoint-kiosk COMMAND --help` for a kiosk command; undefined for an unknown one. */
export function kioskCommandHelp(name: string): string | undefined {
  const help = KIOSK_COMMANDS[name];
  return help ? commandHelp(help, help.extra ?? '') : undefined;
}

export const HELP = `checkpoint-kiosk — QR check-in kiosk

Usage:
${Object.values(KIOSK_COMMANDS).map(overviewEntry).join('')}
${centralOverview()}
  checkpoint-kiosk --help | COMMAND --help | central SUBCOMMAND --help | --version | central --version

${SCANNER_URIS}
${OUTPUT_URIS}
${EXIT_CODES_HELP}
Logging: CHECKPOINT_KIOSK_LOG=debug|info|warn|error|silent (JSON lines on stderr).
Documentation: README.md and docs/ (FORMATS, TRUST-BUNDLE, PROTOCOL, POLICY, OPERATIONS, SCANNERS).
`;
