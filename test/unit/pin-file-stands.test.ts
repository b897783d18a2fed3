/**
 * CHECKPOINT_KIOSK_PIN_FILE is applied when its PIN is new; a PIN set on the technician panel
 * since stands over the unchanged file at the next start (it used to revert silently), and a
 * changed file (the installer rotating it) applies again. What `run` and Electron do at a start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AccessControl } from '../../src/app/access/access-control.js';
import { applyPinFile } from '../../src/app/access/provision-pin.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import type { CheckInStore } from '../../src/store/types.js';

let dir: string;
let store: CheckInStore;
const at = '2026-12-07T05:00:00Z';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-pinfile-'));
  store = openStore({ dir, logger: silentLogger, clock: systemClock });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const unlocks = async (pin: string) => (await new AccessControl(store, systemClock, { scryptN: 1024 }).techUnlock(pin)).ok;

it('a PIN set on the panel survives a restart with the same PIN file; a changed file applies again', async () => {
  expect(await applyPinFile(store, '482913', dir, at, 1024)).toBe('applied');
  expect(await unlocks('482913')).toBe(true);
  await new AccessControl(store, systemClock, { scryptN: 1024 }).setPin('739164');
  // Restart with the unchanged file.
  expect(await applyPinFile(store, '482913', dir, at, 1024)).toBe('panel-pin-stands');
  expect(await unlocks('739164')).toBe(true);
  expect(await unlocks('482913')).toBe(false);
  // The installer rotates the file: its new PIN is in force.
  expect(await applyPinFile(store, '551207', dir, at, 1024)).toBe('applied');
  expect(await unlocks('551207')).toBe(true);
  expect(await applyPinFile(store, '551207', dir, at, 1024)).toBe('unchanged');
  expect(store.auditLog(10).filter((e) => e.action === 'pin-set').map((e) => e.detail)).toEqual([{ via: 'pin-file' }, { via: 'pin-file' }]);
});

it('a kiosk whose PIN came from the file before this was kept: the file applies as before', async () => {
  expect(await applyPinFile(store, '482913', dir, at, 1024)).toBe('applied');
  expect(await applyPinFile(store, '482913', dir, at, 1024)).toBe('unchanged');
  expect(await unlocks('482913')).toBe(true);
});
