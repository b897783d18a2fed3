/** Trivially weak technician PINs are refused when a PIN is set; one already in force keeps working. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { weakPinProblem } from '../../src/shared/weak-pin.js';
import { AccessControl } from '../../src/app/access/access-control.js';
import { applyPinFile } from '../../src/app/access/provision-pin.js';
import { hashPin, PIN_SETTINGS } from '../../src/app/tech-pin.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { runCli } from '../helpers/cli.js';

it('names same-digit and sequential PINs, lets others through', () => {
  for (const pin of ['000000', '777777777', '123456', '654321', '890123', '3210987', '012345']) expect(weakPinProblem(pin), pin).toBeDefined();
  for (const pin of ['482913', '246813', '135792', '112233', '121212']) expect(weakPinProblem(pin), pin).toBeUndefined();
});

it('the panel, the PIN file and --set-pin refuse a weak new PIN; a weak PIN already in force still unlocks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-weak-'));
  try {
    const store = openStore({ dir, logger: silentLogger, clock: systemClock });
    try {
      const access = new AccessControl(store, systemClock, { scryptN: 1024 });
      await expect(access.setPin('123456')).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/too easy to guess/) });
      expect(access.pinSet()).toBe(false);
      await expect(applyPinFile(store, '000000', dir, '2026-12-07T05:00:00Z', 1024)).rejects.toThrow(/CHECKPOINT_KIOSK_PIN_FILE: this PIN is too easy to guess \(every digit is the same\)/);
      // Set by an older version: it stays in force, and the file holding it is still read.
      store.setSetting(PIN_SETTINGS.hash, await hashPin('123456', 1024));
      expect(await applyPinFile(store, '123456', dir, '2026-12-07T05:00:00Z', 1024)).toBe('unchanged');
      expect((await access.techUnlock('123456')).ok).toBe(true);
    } finally {
      store.close();
    }
    const r = runCli(['run', '--data-dir', join(dir, 'cli'), '--set-pin'], '111111\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run --set-pin (stdin): this PIN is too easy to guess (every digit is the same); choose another');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
