/**
 * Start at boot for the AppImage (the deb installs /etc/xdg/autostart itself): when running from
 * an AppImage with CHECKPOINT_KIOSK_AUTOSTART=1, write an XDG autostart entry for this user that
 * runs the launcher (launcher.ts: restarts, and rolls back an update that cannot start) with the
 * AppImage file. Idempotent; returns the file written, if any.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeLauncher } from './launcher.js';

/** An XDG desktop entry whose Exec runs `argv` (each argument quoted per the Desktop Entry spec). */
export function autostartEntry(...argv: string[]): string {
  const quoted = argv.map((a) => `"${a.replace(/(["`$\\])/g, '\\$1')}"`).join(' ');
  return ['[Desktop Entry]', 'Type=Application', 'Name=Checkpoint Kiosk', `Exec=${quoted}`, 'Terminal=false', 'X-GNOME-Autostart-enabled=true', 'NoDisplay=true', ''].join('\n');
}

/** `stateDir`: the updater's folder, where the launcher script is kept (outside the AppImage). */
export function ensureAppImageAutostart(env: Record<string, string | undefined>, home: string, stateDir: string): string | undefined {
  const appImage = env.APPIMAGE;
  if (!appImage || env.CHECKPOINT_KIOSK_AUTOSTART !== '1') return undefined;
  const dir = path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'autostart');
  const file = path.join(dir, 'checkpoint-kiosk.desktop');
  const entry = autostartEntry('/bin/sh', writeLauncher(stateDir), appImage);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === entry) return file;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, entry, { mode: 0o644 });
  return file;
}
