/**
 * The AppImage launcher: a small POSIX shell script outside the AppImage that the autostart entry
 * runs instead of the AppImage itself. It keeps the kiosk running (restarts it with a backoff when
 * it exits with an error) and covers the one case the in-app updater cannot: a freshly installed
 * version that crashes before our code runs, so it can never report a heartbeat or roll itself
 * back. After CHECKPOINT_KIOSK_MAX_FAILS (default 3) failed starts of a pending update it puts the
 * previous AppImage back and remembers the version as rolled back.
 *
 * The script lives in the updater's state folder (it must survive the AppImage being replaced)
 * and talks to the app through files there, never by sourcing them:
 * - `launcher-rollback`: two lines, the backup AppImage and the version being tried; present
 *   only while an installed update waits for its first heartbeat (updater.ts writes and clears it);
 * - `restart-requested`: the app quit on purpose to be started again (install, in-app rollback);
 * - `launch-failures`: failed starts counted while `launcher-rollback` exists;
 * - `rolled-back.txt`: versions the launcher rolled back, one per line (readBlockedVersions).
 */
import fs from 'node:fs';
import path from 'node:path';

export const LAUNCHER_FILE = 'launch.sh';
export const ROLLBACK_HINT_FILE = 'launcher-rollback';
export const RESTART_FILE = 'restart-requested';
export const LAUNCHER_BLOCKED_FILE = 'rolled-back.txt';
/** Set by the launcher for the app it starts. */
export const LAUNCHER_ENV = 'CHECKPOINT_KIOSK_LAUNCHER';

/** The launcher script (POSIX sh). Arguments: the AppImage path, then the kiosk's own options. */
export function launcherScript(): string {
  return `#!/bin/sh
# checkpoint-kiosk launcher, written by the kiosk at start (edits are overwritten).
# Keeps the AppImage running and puts the previous version back when a freshly installed one
# keeps failing to start. Usage: sh launch.sh /path/to/checkpoint-kiosk.AppImage [options...]
set -u
APP="$1"; shift
DIR=$(cd "$(dirname "$0")" && pwd)
HINT="$DIR/${ROLLBACK_HINT_FILE}"
FAILS="$DIR/launch-failures"
RESTART="$DIR/${RESTART_FILE}"
MAX_FAILS="\${CHECKPOINT_KIOSK_MAX_FAILS:-3}"
MAX_BACKOFF="\${CHECKPOINT_KIOSK_MAX_BACKOFF:-60}"
export ${LAUNCHER_ENV}=1
log() { printf '{"level":"%s","component":"launcher","msg":"%s"}\\n' "$1" "$2" >&2; }
count() { n=$(cat "$FAILS" 2>/dev/null || echo 0); case "$n" in ''|*[!0-9]*) n=0;; esac; echo "$n"; }
backoff=1
while :; do
  if [ -f "$HINT" ]; then
    fails=$(count)
    if [ "$fails" -ge "$MAX_FAILS" ]; then
      backup=''; version=''
      { IFS= read -r backup; IFS= read -r version; } < "$HINT"
      version=$(printf '%s' "$version" | tr -cd 'A-Za-z0-9.+-')
      if [ -n "$backup" ] && [ -f "$backup" ] && cp "$backup" "$APP.rollback" && chmod 755 "$APP.rollback" && mv -f "$APP.rollback" "$APP"; then
        printf '%s\\n' "$version" >> "$DIR/${LAUNCHER_BLOCKED_FILE}"
        rm -f "$HINT" "$FAILS" "$DIR/pending-update.json" "$backup"
        log error "version $version failed to start $fails times after its install: previous version restored"
      else
        rm -f "$HINT" "$FAILS"
        log error "version $version failed to start $fails times after its install, and the previous version could not be restored"
      fi
    fi
  else
    rm -f "$FAILS"
  fi
  rm -f "$RESTART"
  "$APP" "$@"
  status=$?
  if [ -f "$RESTART" ]; then backoff=1; continue; fi
  [ "$status" -eq 0 ] && exit 0
  [ -f "$HINT" ] && echo $(( $(count) + 1 )) > "$FAILS"
  [ "$backoff" -gt "$MAX_BACKOFF" ] && backoff=$MAX_BACKOFF
  log warn "kiosk exited with status $status: starting it again in \${backoff} s"
  [ "$backoff" -gt 0 ] && sleep "$backoff"
  backoff=$((backoff * 2))
done
`;
}

/** Writes (or refreshes) the launcher in `stateDir`, mode 0755. Returns its path. */
export function writeLauncher(stateDir: string): string {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, LAUNCHER_FILE);
  const text = launcherScript();
  let current: string | undefined;
  try {
    current = fs.readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== text) {
    fs.writeFileSync(`${file}.tmp`, text);
    fs.chmodSync(`${file}.tmp`, 0o755);
    fs.renameSync(`${file}.tmp`, file);
  }
  return file;
}

/** Whether this process was started by the launcher (it restarts us; we must not relaunch ourselves). */
export function underLauncher(env: Record<string, string | undefined>): boolean {
  return env[LAUNCHER_ENV] === '1';
}

/** Tells the launcher which backup to restore if `version` keeps failing to start. */
export function writeRollbackHint(stateDir: string, backupPath: string, version: string): void {
  if (/[\r\n]/.test(backupPath) || /[\r\n]/.test(version)) throw new Error('rollback hint: path and version must be single lines');
  fs.writeFileSync(path.join(stateDir, ROLLBACK_HINT_FILE), `${backupPath}\n${version}\n`);
}

/** The update was settled (committed, abandoned or rolled back in-app): nothing for the launcher to do. */
export function clearRollbackHint(stateDir: string): void {
  fs.rmSync(path.join(stateDir, ROLLBACK_HINT_FILE), { force: true });
  fs.rmSync(path.join(stateDir, 'launch-failures'), { force: true });
}

/** Asks the launcher to start the app again after this exit (exit status 0 alone means "stop"). */
export function requestRestart(stateDir: string): void {
  fs.writeFileSync(path.join(stateDir, RESTART_FILE), '');
}

/** Versions the launcher rolled back (at most 100, the newest last). */
export function readBlockedVersions(stateDir: string): string[] {
  try {
    return fs
      .readFileSync(path.join(stateDir, LAUNCHER_BLOCKED_FILE), 'utf8')
      .split('\n')
      .map((v) => v.trim())
      .filter(Boolean)
      .slice(-100);
  } catch {
    return [];
  }
}
