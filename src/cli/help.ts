/**
 * The `checkpoint-kiosk --help` text: every command and flag, and the URI syntaxes. The README's
 * command-line section shows the same (test/unit/cli-help.test.ts checks that nothing the README
 * names is missing here).
 */
export const HELP = `checkpoint-kiosk — QR check-in kiosk

Usage:
  checkpoint-kiosk run --data-dir DIR --scanner URI [--scanner URI ...]
        [--server URL [--server URL ...] [--enroll CODE]] [--ca FILE] [--heartbeat-seconds N] [--sync-seconds N]
        [--trust FILE] [--policy FILE] [--checkpoint ID] [--direction in|out]
        [--ui none|web] [--port N] [--relay URI ...] [--beeper] [--profile venue|booth]
        [--time-zone NAME] [--rotate-web-token]
      Runs the kiosk. stdout: JSON lines ({"event":"ready"}, one {"event":"checkin",…} per
      committed scan, {"event":"duplicate","of":ID}, {"event":"ui","url"} with --ui web).
      A scanned provisioning card (CKP1:) enrolls a kiosk that is not enrolled: no --server needed.
      --sync-seconds N: how often the trust bundle and the configuration profile are checked.
      SIGTERM/SIGINT stop it gracefully. --scanner may be left out with --ui web (a
      keyboard-wedge scanner types into the window). Several --server URLs are nodes of one
      central service: the kiosk enrolls at the first that answers and fails over between them.
      --profile (remembered): venue = public screens only, booth = officer screens after an
      officer sign-in. --rotate-web-token replaces the URL token kept in <data-dir>/web-token.
      CHECKPOINT_KIOSK_PIN_FILE names a 0600 file holding the technician PIN.
  checkpoint-kiosk run --data-dir DIR --set-pin < pin.txt
      Stores the technician PIN (6-12 digits, read from stdin) and exits: {"event":"pin-set"}.
  checkpoint-kiosk verify [--trust FILE] [--policy FILE] [--at ISO-TIME] [--explain] (PAYLOAD | -)
      Verifies one payload (- reads it from stdin) and prints {"format","verdict","reasons",
      "subject"}; exit 0 whenever a verdict was produced.
  checkpoint-kiosk export --data-dir DIR [--reveal [--pin-file FILE]]
      The kiosk's own check-ins (pending and forwarded), one JSON line each. Identity fields only
      with --reveal and the technician PIN (from --pin-file or stdin); the reveal is audited.
  checkpoint-kiosk audit --data-dir DIR [--verify]
      The kiosk's hash-chained audit log (purge receipts included), or --verify the chain.
  checkpoint-kiosk devices
      Scanners found (serial and HID), one JSON line each, with the recommended URI.

  checkpoint-kiosk central (--data-dir DIR | --database postgres://USER@HOST:PORT/DB [--data-dir DIR])
        [--port N] [--host ADDRESS] [--trust FILE] [--enrollment-code CODE ...] [--time-zone ZONE]
        [--retention-days N]
      Runs the reference central server (default 127.0.0.1:8080) on SQLite in the data dir, or
      on PostgreSQL with --database (several nodes may share it); prints {"event":"listening","url"}.
      --time-zone (IANA name, default Asia/Ho_Chi_Minh) decides what "today" is on the dashboard.
      --retention-days (default 21): older check-ins are purged hourly, with receipts in the audit log.
  Every subcommand below takes (--data-dir DIR | --database URL):
  checkpoint-kiosk central enroll-code (--data-dir DIR | --database URL) [--ttl-hours N]
      A new one-time enrollment code for a kiosk (default valid 24 hours).
  checkpoint-kiosk central admin-token (--data-dir DIR | --database URL)
      The token of the dashboard, stats and tracing.
  checkpoint-kiosk central export (--data-dir DIR | --database URL)
      Every received check-in, one JSON line each, oldest first.
  checkpoint-kiosk central export (--data-dir DIR | --database URL) --from ISO-TIME --to ISO-TIME
        [--checkpoint ID] --requested-by WHO --reason WHY --out FILE
      Lawful export: the check-ins of the range as one root-key-signed JWS file; audited.
  checkpoint-kiosk central audit (--data-dir DIR | --database URL) [--verify]
      The server's hash-chained audit log (purge receipts, lawful exports), or --verify the chain.
  checkpoint-kiosk central trace (--data-dir DIR | --database URL) --id ID --from ISO-TIME
        --to ISO-TIME [--window-minutes N]
      A person's check-ins and everyone at the same checkpoint within ±N minutes (default 30).
  checkpoint-kiosk central trust-bundle (--data-dir DIR | --database URL) [--out FILE]
      The trust bundle the server publishes, as plain JSON for --trust FILE.
  checkpoint-kiosk central provision-card (--data-dir DIR | --database URL) --checkpoint ID
        [--direction in|out] [--profile venue|booth] [--ttl-hours N] [--config FILE] [--url URL]
        [--png FILE] [--json]
      A single-use CKP1 provisioning card (one line; {"card","checkpoint","expiresAt"} with --json).
  checkpoint-kiosk central revoke-device (--data-dir DIR | --database URL) --device ID
      Cuts a device off at once on every node; it keeps its queue for a new enrollment.
  checkpoint-kiosk central config set (--data-dir DIR | --database URL) (--device ID | --group G)
        --file profile.json
  checkpoint-kiosk central config show (--data-dir DIR | --database URL) [--device ID]
      Versioned configuration profiles, signed and fetched by the kiosks (unknown keys refused).
  checkpoint-kiosk central group set (--data-dir DIR | --database URL) --device ID --group G
  checkpoint-kiosk central release add (--data-dir DIR | --database URL) --file APPIMAGE --version V
        [--staging-percentage N] [--releases-dir DIR]
  checkpoint-kiosk central release set (--data-dir DIR | --database URL) --version V
        --staging-percentage N
      The update feed at <server>/updates (electron-updater generic provider, staged rollout).

  checkpoint-kiosk --help | COMMAND --help

Scanner URIs (--scanner, repeatable):
  serial:PATH[?baud=9600&maxLine=8192&idleMs=100]   serial or USB-CDC scanner
  hid:VID:PID                                        USB HID scanner in keyboard mode (hidraw)
  hid-pos:auto | hid-pos:VID:PID                     USB HID POS scanner (usage page 0x8C)
  sim:FILE[?intervalMs=N&loop=1]                     replays a file, one scan per line
  stdin[?maxLine=8192&idleMs=0]                      one scan per line on standard input
  camera:/dev/video0 | camera:rtsp://… | camera:http://… | camera:FILE
      [?fps=10&width=1280&height=720&roi=x,y,w,h&loop=1]  webcam, IP camera or video file read for QR codes
  auto                                               every scanner \`devices\` recommends

Output URIs (--relay, repeatable; --beeper is short for --relay beeper):
  hid-relay[:VID:PID][?channel=1&pulseMs=800&on=accept&path=/dev/hidrawN]   USB HID relay board
  serial-relay:PATH[?channel=1&pulseMs=800&protocol=lctech&baud=9600&on=accept]
                                                     LC-Tech style serial relay board
  beeper[?on=accept,reject,refer]                    the scanner's own good/bad beep
  none

Exit codes: 0 success, 1 runtime failure (message on stderr), 2 usage error (names the bad flag).
Logging: CHECKPOINT_KIOSK_LOG=debug|info|warn|error|silent (JSON lines on stderr).
Documentation: README.md and docs/ (FORMATS, TRUST-BUNDLE, PROTOCOL, POLICY, OPERATIONS, SCANNERS).
`;
