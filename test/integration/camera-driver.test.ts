/**
 * The camera scanner driver against real parts: videos made here with `qrcode` + ffmpeg, frames
 * from a real ffmpeg child process, codes decoded by the real zxing-wasm in a worker thread.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraPreview, ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import { CameraScannerDriver, type CameraDriverOptions } from '../../drivers/camera/camera-driver.js';
import { parseScannerUri } from '../../drivers/uri.js';
import type { CameraUri } from '../../drivers/camera/camera-uri.js';
import { freeLocalPort, makeQrVideo, MjpegServer } from '../helpers/camera-video.js';
import { waitFor } from '../helpers/pty.js';
import { DeviceManager } from '../../drivers/manager/device-manager.js';

const deps = { clock: systemClock, timers: systemTimers, logger: silentLogger };
const execFileAsync = promisify(execFile);
let dir: string;
const drivers: CameraScannerDriver[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'camera-driver-'));
});
afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

function driver(uri: string, extra: Omit<CameraDriverOptions, 'camera'> = {}): { d: CameraScannerDriver; scans: ScanEvent[]; states: ScannerStatus['state'][] } {
  const d = new CameraScannerDriver({ ...extra, camera: parseScannerUri(uri) as CameraUri }, deps);
  drivers.push(d);
  const scans: ScanEvent[] = [];
  const states: ScannerStatus['state'][] = [];
  d.on('scan', (s) => scans.push(s));
  d.on('status', (s) => states.push(s.state));
  return { d, scans, states };
}

/** Opens a finite file and waits until its last frame was decoded. */
async function readAll(uri: string): Promise<{ d: CameraScannerDriver; scans: ScanEvent[] }> {
  const r = driver(uri);
  await r.d.open();
  await waitFor(() => r.d.status().state === 'closed', { timeoutMs: 60_000 });
  return r;
}

describe('camera driver on video files', () => {
  it('reads a small code in a 720p frame, blurred, noisy and rotated codes, and two codes in one frame as two scans', async () => {
    const v = await makeQrVideo(
      dir,
      [
        { blank: 2 },
        { text: 'SMALL-720P', frames: 4, size: 170 },
        { blank: 4 },
        { text: 'BLURRED', frames: 4, size: 330, blur: 1.2 },
        { noise: 4 },
        { text: 'NOISY', frames: 4, size: 330, noise: 25 },
        { blank: 4 },
        { text: 'ROTATED', frames: 4, size: 330, rotate: 30 },
        { blank: 4 },
        { text: 'ID-CARD', also: 'DECLARATION', frames: 4, size: 300 },
      ],
      { fps: 5, width: 1280, height: 720, name: 'hard' },
    );
    const { d, scans } = await readAll(`camera:${v.path}?fps=5&width=1280&height=720`);
    expect(scans.map((s) => s.text)).toEqual(['SMALL-720P', 'BLURRED', 'NOISY', 'ROTATED', 'ID-CARD', 'DECLARATION']);
    for (const s of scans) expect(s).toMatchObject({ source: 'camera', deviceId: 'camera:hard.mp4', symbology: 'qr' });
    const status = d.status();
    // A finite file is paced, not dropped: every sampled frame was decoded.
    expect(status.camera).toMatchObject({ frames: v.frames, dropped: 0 });
    expect(status.reads).toBe(6);
  }, 120_000);

  it('decodes only the region of interest', async () => {
    const v = await makeQrVideo(dir, [{ text: 'LEFT-SIDE', frames: 3, size: 200, offsetX: -180 }], { fps: 5, name: 'left' });
    const left = await readAll(`camera:${v.path}?fps=5&width=640&height=360&roi=0,0,320,360`);
    const right = await readAll(`camera:${v.path}?fps=5&width=640&height=360&roi=0.5,0,0.5,1.0`);
    expect(left.scans.map((s) => s.text)).toEqual(['LEFT-SIDE']);
    expect(right.scans).toEqual([]);
  }, 90_000);

  it('hands aiming previews (downscaled grey, ROI, hint) to a sink only while one is set', async () => {
    const v = await makeQrVideo(dir, [{ text: 'AIM', frames: 20, size: 300 }], { fps: 10, name: 'aim' });
    const previews: CameraPreview[] = [];
    const r = driver(`camera:${v.path}?loop=1&width=640&height=360&roi=0.1,0.1,0.8,0.8`);
    await r.d.open();
    await waitFor(() => r.scans.length > 0, { timeoutMs: 30_000 });
    expect(previews).toEqual([]);
    r.d.setPreviewSink((p) => previews.push(p));
    await waitFor(() => previews.length >= 2, { timeoutMs: 30_000 });
    r.d.setPreviewSink(undefined);
    const p = previews[0] as CameraPreview;
    expect(p).toMatchObject({ deviceId: 'camera:aim.mp4', width: 160, height: 90, hint: 'read', roi: { x: 0.1, y: 0.1, w: 0.8, h: 0.8 } });
    expect(Buffer.from(p.pixels, 'base64')).toHaveLength(160 * 90);
    expect(p.codes[0]?.read).toBe(true);
    // One presentation: the code held in a looping video is not scanned again and again.
    expect(r.scans.map((s) => s.text)).toEqual(['AIM']);
    await r.d.close();
  }, 90_000);

  it('rejects a missing video file naming it, and reports a missing ffmpeg while retrying', async () => {
    const missing = driver(`camera:${join(dir, 'nope.mp4')}`);
    await expect(missing.d.open()).rejects.toThrow(/nope\.mp4.*ENOENT/);
    expect(missing.d.status()).toMatchObject({ state: 'closed' });

    const v = await makeQrVideo(dir, [{ blank: 2 }], { name: 'blank' });
    const noFfmpeg = driver(`camera:${v.path}?loop=1`, { ffmpegPath: join(dir, 'no-ffmpeg-here'), backoff: { baseMs: 50, capMs: 100 } });
    await noFfmpeg.d.open();
    await waitFor(() => noFfmpeg.d.status().lastError?.includes('ffmpeg not found'), { timeoutMs: 20_000 });
    expect(noFfmpeg.d.status().state).toBe('disconnected');
    await noFfmpeg.d.close();
    expect(noFfmpeg.d.status().state).toBe('closed');

    // An IP camera's password never reaches the status (screens, heartbeat to the server).
    const ip = driver('camera:rtsp://admin:s3cret@127.0.0.1:9/stream1');
    expect(ip.d.status()).toMatchObject({ deviceId: 'camera:rtsp://127.0.0.1:9/stream1', uri: 'camera:rtsp://***@127.0.0.1:9/stream1' });
  }, 60_000);
});

describe('ffmpeg stopped by a signal from outside (systemd stops every process of the service)', () => {
  it("is no error when the kiosk's own close follows; otherwise the file is reported as not read to the end, saying why", async () => {
    const v = await makeQrVideo(dir, [{ noise: 300 }], { fps: 10, name: 'outside' });
    const ffmpegPid = (d: CameraScannerDriver) => (d as unknown as { child?: { pid?: number } }).child?.pid;
    // Followed by the kiosk's stop: closed without an error (it was 'ffmpeg exited with code 255').
    const a = driver(`camera:${v.path}`);
    await a.d.open();
    await waitFor(() => a.d.status().state === 'connected', { timeoutMs: 20_000 });
    process.kill(ffmpegPid(a.d)!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await a.d.close();
    expect(a.d.status()).toMatchObject({ state: 'closed' });
    expect(a.d.status().lastError).toBeUndefined();
    // Not followed by a stop: after the grace, an error naming what happened.
    const b = driver(`camera:${v.path}`);
    await b.d.open();
    await waitFor(() => b.d.status().state === 'connected', { timeoutMs: 20_000 });
    process.kill(ffmpegPid(b.d)!, 'SIGTERM');
    await waitFor(() => b.d.status().state === 'closed', { timeoutMs: 10_000 });
    expect(b.d.status().lastError).toMatch(/ffmpeg was stopped from outside the kiosk/);
  }, 60_000);
});

describe('files that give no frame or go away, and streams that stall', () => {
  it('a still picture as camera:FILE ends closed saying no frame could be read and that it must be a video (it was frames:0 and silence)', async () => {
    const png = join(dir, 'still.png');
    await execFileAsync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=white:s=320x240', '-frames:v', '1', png]);
    const errors: string[] = [];
    const r = driver(`camera:${png}`);
    r.d.on('error', (e) => errors.push(e.message));
    await r.d.open();
    await waitFor(() => r.d.status().state === 'closed', { timeoutMs: 30_000 });
    expect(r.d.status().lastError).toMatch(/no frame could be read from ".*still\.png": it must be a video/);
    expect(errors.join('\n')).toMatch(/still\.png.*must be a video/);
  }, 60_000);

  it('a looping video file deleted while it plays ends its source with the reason (it kept playing)', async () => {
    const v = await makeQrVideo(dir, [{ text: 'LOOPED', frames: 5, size: 200 }, { blank: 5 }], { fps: 10, name: 'deleted' });
    const r = driver(`camera:${v.path}?loop=1&width=320&height=240`);
    await r.d.open();
    await waitFor(() => r.d.status().state === 'connected', { timeoutMs: 20_000 });
    unlinkSync(v.path);
    await waitFor(() => r.d.status().state === 'closed', { timeoutMs: 10_000 });
    expect(r.d.status().lastError).toMatch(/deleted\.mp4.*ENOENT; the source has ended/);
  }, 60_000);

  it('an HTTP stream that stops sending frames but stays open is reported as stalled, not as ended', async () => {
    const jpg = join(dir, 'frame.jpg');
    await execFileAsync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=white:s=320x240', '-frames:v', '1', jpg]);
    const frame = readFileSync(jpg);
    const open: ServerResponse[] = [];
    const server = createServer((_req, res) => {
      open.push(res);
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame' });
      let sent = 0;
      const timer = setInterval(() => {
        // 10 frames, then nothing more on a connection kept open: a frozen camera.
        if (sent++ >= 10) return clearInterval(timer);
        res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`);
        res.write(frame);
        res.write('\r\n');
      }, 100);
    });
    await new Promise<void>((resolve) => server.listen(47541, '127.0.0.1', resolve));
    try {
      const r = driver('camera:http://127.0.0.1:47541/stream.mjpg?width=320&height=240', { backoff: { baseMs: 60_000, capMs: 60_000, floorMs: 60_000 } });
      await r.d.open();
      await waitFor(() => r.d.status().state === 'connected', { timeoutMs: 20_000 });
      await waitFor(() => r.d.status().state === 'disconnected', { timeoutMs: 20_000 });
      expect(r.d.status().lastError).toMatch(/^stream stalled: no frame for \d+ s/);
      await r.d.close();
    } finally {
      for (const res of open) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});

describe('camera under the device manager', () => {
  it('is a managed scanner: health with frame figures, the self-test takes its next scan, previews only while watched', async () => {
    const v = await makeQrVideo(dir, [{ text: 'SELF-TEST', frames: 6, size: 300 }, { blank: 16 }], { fps: 10, name: 'managed' });
    const manager = new DeviceManager({ uris: [`camera:${v.path}?loop=1&width=640&height=360`], deps, rediscoverMs: 0 });
    const forwarded: ScanEvent[] = [];
    manager.on('scan', (s) => forwarded.push(s));
    try {
      const test = manager.startSelfTest(60_000);
      await manager.open();
      const result = await test;
      expect(result).toMatchObject({ ok: true, deviceId: 'camera:managed.mp4', source: 'camera', symbology: 'qr', chars: 9, preview: 'xxxx-xxxx' });
      expect(forwarded).toEqual([]);
      await waitFor(() => forwarded.length > 0, { timeoutMs: 30_000 });
      const health = manager.health()[0];
      expect(health).toMatchObject({ deviceId: 'camera:managed.mp4', state: 'connected', origin: 'configured' });
      expect(health?.camera?.frames).toBeGreaterThan(0);
      expect(health?.camera?.decodeMsP50).toBeGreaterThan(0);
      const previews: CameraPreview[] = [];
      const stop = manager.watchPreviews((p) => previews.push(p));
      await waitFor(() => previews.length > 0, { timeoutMs: 30_000 });
      stop();
      const seen = previews.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(previews.length).toBeLessThanOrEqual(seen + 1);
    } finally {
      await manager.close();
    }
  }, 90_000);
});

describe('camera driver on a live HTTP MJPEG stream', () => {
  it('a stream killed and restarted: disconnected, then scanning resumes without a restart', async () => {
    // Code, then enough blank frames (> 1 s) that each loop is a new presentation.
    const v = await makeQrVideo(dir, [{ text: 'LIVE-CODE', frames: 8, size: 300 }, { blank: 16 }], { fps: 10, name: 'live' });
    const server = new MjpegServer(v.path, await freeLocalPort());
    server.start();
    const r = driver(`camera:${server.url}?fps=10&width=640&height=360`, { backoff: { baseMs: 200, capMs: 500 } });
    let disconnects = 0;
    r.d.on('disconnected', () => disconnects++);
    try {
      await r.d.open();
      await waitFor(() => r.scans.length >= 1, { timeoutMs: 30_000 });
      expect(r.d.status().state).toBe('connected');
      await server.kill();
      await waitFor(() => disconnects === 1 && r.d.status().state === 'disconnected', { timeoutMs: 30_000 });
      const before = r.scans.length;
      server.start();
      await waitFor(() => r.scans.length > before, { timeoutMs: 30_000 });
      expect(r.d.status().state).toBe('connected');
      expect(r.states).toContain('disconnected');
      expect(r.scans.every((s) => s.text === 'LIVE-CODE')).toBe(true);
    } finally {
      await r.d.close();
      await server.kill();
    }
  }, 120_000);
});
