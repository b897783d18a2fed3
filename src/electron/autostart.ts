/**
 * Start at boot for the AppImage (the deb installs /etc/xdg/autostart itself): when running from
 * an AppImage with CHECKPOINT_KIOSK_AUTOSTART=1, write an XDG autostart entry for this user
 * pointing at the AppImage file. Idempotent; returns the file written, if any.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function autostartEntry(execPath: string): string {
  const quoted = `"${execPath.replace(/(["`$\\])/g, '\\$1')}"`;
  return ['[Desktop Entry]', 'Type=Application', 'Name=Checkpoint Kiosk', `Exec=${quoted}`, 'Terminal=false', 'X-GNOME-Autostart-enabled=true', 'NoDisplay=true', ''].join('\n');
}

export function ensureAppImageAutostart(env: Record<string, string | undefined>, home: string): string | undefined {
  const appImage = env.APPIMAGE;
  if (!appImage || env.CHECKPOINT_KIOSK_AUTOSTART !== '1') return undefined;
  const dir = path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'autostart');
  const file = path.join(dir, 'checkpoint-kiosk.desktop');
  const entry = autostartEntry(appImage);
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
