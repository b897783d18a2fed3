/**
 * Device ids unique among the configured scanners (drivers/manager/device-ids.ts): only colliding
 * ids change, so a unique one keeps its short, documented form.
 */
import { describe, expect, it } from 'vitest';
import { deviceIdOverrides } from '../../drivers/manager/device-ids.js';
import { DeviceManager } from '../../drivers/manager/device-manager.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';

describe('deviceIdOverrides', () => {
  it('keeps unique ids as they are', () => {
    expect(deviceIdOverrides(['camera:/tmp/x/a3.mp4', 'camera:/tmp/x/b.mp4', 'sim:/tmp/s.txt', 'stdin', 'camera:/dev/video0'])).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('names files with one base name by their paths as written', () => {
    expect(deviceIdOverrides(['camera:/tmp/x/a3.mp4', 'camera:/tmp/x/sub/a3.mp4?fps=5', 'camera:/tmp/other.mp4'])).toEqual(['camera:/tmp/x/a3.mp4', 'camera:/tmp/x/sub/a3.mp4', undefined]);
    // A long id equal to the scanner's own needs no override.
    expect(deviceIdOverrides(['camera:a3.mp4', 'camera:sub/a3.mp4'])).toEqual([undefined, 'camera:sub/a3.mp4']);
    expect(deviceIdOverrides(['sim:/a/scans.txt', 'sim:/b/scans.txt'])).toEqual(['sim:/a/scans.txt', 'sim:/b/scans.txt']);
  });

  it('numbers what is still the same (two streams of one camera differing in their query, never shown)', () => {
    const ids = deviceIdOverrides(['camera:http://10.0.0.9/video.cgi%3Fch%3D1%26pwd%3Dx', 'camera:http://10.0.0.9/video.cgi%3Fch%3D2%26pwd%3Dx']);
    expect(ids).toEqual([undefined, 'camera:http://10.0.0.9/video.cgi#2']);
  });

  it('the device manager builds its drivers with those ids', async () => {
    const m = new DeviceManager({ uris: ['camera:/tmp/x/a3.mp4', 'camera:/tmp/x/sub/a3.mp4', 'camera:/tmp/y/b.mp4'], deps: { clock: systemClock, timers: systemTimers, logger: silentLogger } });
    await m.prepare();
    expect(m.statuses().map((s) => s.deviceId)).toEqual(['camera:/tmp/x/a3.mp4', 'camera:/tmp/x/sub/a3.mp4', 'camera:b.mp4']);
    await m.close();
  });
});
