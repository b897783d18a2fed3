/**
 * The technician's scanner self-test and device health through the UI API, on a real pty
 * scanner and a real store: the test scan reports which scanner, how long, and is NOT recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKiosk } from '../../src/app/build.js';
import { createKioskApi } from '../../src/app/api.js';
import { applyPin } from '../../src/app/access/provision-pin.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';

let dir: string;
let pty: PtyPair;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-selftest-'));
  pty = await startPtyPair();
});
afterAll(async () => {
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('technician self-test', () => {
  it('reports the next scan without recording it, and shows per-device health', async () => {
    const kiosk = await buildKiosk({ dataDir: join(dir, 'data'), scanners: [`serial:${pty.devicePath}`], clock: systemClock, timers: systemTimers, logger: silentLogger });
    const api = createKioskApi({ kiosk, clock: systemClock, timers: systemTimers, logger: silentLogger, exportDir: join(dir, 'exports') });
    try {
      await kiosk.start();
      await waitFor(() => kiosk.scannerStatus()[0]?.state === 'connected', { what: 'the pty scanner to connect' });
      await applyPin(kiosk.store, '482913', join(dir, 'data'), new Date().toISOString(), 'test', 1024);
      const unlock = await api.techUnlock('482913');
      if (!unlock.ok) throw new Error('unlock failed');

      const pending = api.techSelfTest(unlock.session, 10_000);
      await new Promise((r) => setTimeout(r, 50));
      await pty.write('HC1:NCFOXN%TS3DH\r\n');
      const result = await pending;
      expect(result).toMatchObject({ ok: true, deviceId: `serial:${pty.devicePath}`, source: 'serial', chars: 'HC1:NCFOXN%TS3DH'.length });
      if (result.ok) {
        expect(result.preview.startsWith('HC1:')).toBe(true);
        expect(result.preview).not.toContain('NCFOXN'); // the payload itself never leaves the manager
      }
      expect([...kiosk.store.all()]).toHaveLength(0);

      // A normal scan afterwards is a check-in again, and health counts it.
      await pty.write('001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021\r\n');
      await waitFor(() => [...kiosk.store.all()].length === 1, { what: 'the check-in after the self-test' });
      const info = await api.techInfo(unlock.session);
      expect(info.devices).toHaveLength(1);
      expect(info.devices[0]).toMatchObject({ deviceId: `serial:${pty.devicePath}`, state: 'connected', reads: 2, origin: 'configured' });
      expect(info.devices[0]!.readsPerMinute).toBeGreaterThanOrEqual(2);

      expect(await api.techSelfTest(unlock.session, 1000)).toMatchObject({ ok: false, reason: 'timeout' });
    } finally {
      api.close();
      await kiosk.stop();
    }
  });
});
