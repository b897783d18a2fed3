/**
 * The camera scanner's pure parts: URI options, ffmpeg command line, frame cutting with bounded
 * memory, one scan per presentation, aiming hints, grey-frame helpers and V4L2 listing on a fake
 * sysfs tree.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScannerUri, ScannerUriError } from '../../drivers/uri.js';
import { cameraDeviceId, type CameraUri } from '../../drivers/camera/camera-uri.js';
import { ffmpegArgs, redactCredentials } from '../../drivers/camera/ffmpeg-args.js';
import { FramePipe } from '../../drivers/camera/frame-pipe.js';
import { GONE_FRAMES, GONE_MS, PresentationTracker } from '../../drivers/camera/presentation.js';
import { aimHint } from '../../drivers/camera/preview.js';
import { roiToPgm, thumbnail } from '../../drivers/camera/grey-frame.js';
import { listV4l2Devices } from '../../drivers/camera/v4l2-list.js';
import { cameraEntry, discover, pickAuto } from '../../drivers/discovery/discover.js';
import { deviceKey } from '../../drivers/manager/device-key.js';

const cam = (uri: string) => parseScannerUri(uri) as CameraUri;

describe('camera: URIs', () => {
  it('tells devices, streams and files apart, with defaults', () => {
    expect(cam('camera:/dev/video0')).toMatchObject({ kind: 'camera', source: 'v4l2', location: '/dev/video0', fps: 10, width: 1280, height: 720, loop: false, roi: { x: 0, y: 0, w: 1280, h: 720 } });
    expect(cam('camera:rtsp://admin:s3cret@10.0.0.7:554/stream1')).toMatchObject({ source: 'rtsp', location: 'rtsp://admin:s3cret@10.0.0.7:554/stream1' });
    expect(cam('camera:http://10.0.0.7/video.cgi%3Fres%3Dhigh%26ch%3D1?fps=5')).toMatchObject({ source: 'http', location: 'http://10.0.0.7/video.cgi?res=high&ch=1', fps: 5 });
    expect(cam('camera:./demo.mp4?loop=1')).toMatchObject({ source: 'file', location: './demo.mp4', loop: true });
  });

  it('takes roi as fractions or pixels of the scaled frame', () => {
    expect(cam('camera:/dev/video0?roi=0.25,0.25,0.5,0.5').roi).toEqual({ x: 320, y: 180, w: 640, h: 360 });
    expect(cam('camera:/dev/video0?width=640&height=480&roi=100,50,300,200').roi).toEqual({ x: 100, y: 50, w: 300, h: 200 });
    expect(cam('camera:/dev/video0?roi=0,0,1.0,0.5').roi).toEqual({ x: 0, y: 0, w: 1280, h: 360 });
  });

  it.each([
    ['camera:', /camera needs a device, URL or file/],
    ['camera:/dev/video0?zoom=2', /unknown option "zoom" for camera \(known: fps, width, height, roi, loop\)/],
    ['camera:/dev/video0?fps=0', /fps must be whole frames per second in 1\.\.30, got "0"/],
    ['camera:/dev/video0?fps=60', /fps must be whole frames per second in 1\.\.30/],
    ['camera:/dev/video0?width=641', /width must be an even number/],
    ['camera:/dev/video0?height=5000', /height must be whole pixels in 120\.\.1080/],
    ['camera:/dev/video0?loop=1', /loop is only for video files/],
    ['camera:x.mp4?loop=maybe', /loop must be 1, 0, true or false/],
    ['camera:/dev/video0?roi=1,2,3', /roi must be x,y,w,h/],
    ['camera:/dev/video0?roi=0.5,0.5,0.6,0.2', /reaches outside the 1280x720 frame/],
    ['camera:/dev/video0?roi=0,0,1,1', /smaller than 64x64 pixels/],
    ['camera:/dev/video0?roi=0.1,2,3,4', /all fractions 0\.\.1 with a decimal point or all whole pixels/],
    ['camera:rtsp://', /not a valid URL|needs a host/],
    ['camera:/dev/../etc/passwd;x', /camera device must be a \/dev path/],
    ['camera:/dev/video0?fps=5&fps=6', /option "fps" given twice/],
  ])('%s is refused clearly', (uri, message) => {
    expect(() => parseScannerUri(uri)).toThrow(ScannerUriError);
    expect(() => parseScannerUri(uri)).toThrow(message);
  });

  it('names a camera without its password or query, and keys a device by its resolved path', () => {
    expect(cameraDeviceId(cam('camera:rtsp://admin:s3cret@10.0.0.7:554/stream1%3Ftoken%3Dabc'))).toBe('camera:rtsp://10.0.0.7:554/stream1');
    expect(cameraDeviceId(cam('camera:/tmp/videos/drive.mp4'))).toBe('camera:drive.mp4');
    expect(deviceKey('camera:/dev/v4l/by-id/usb-cam', (p) => (p === '/dev/v4l/by-id/usb-cam' ? '/dev/video2' : p))).toBe('camera:/dev/video2');
  });
});

describe('ffmpeg command line', () => {
  it('samples, scales, pads and writes raw grey frames to stdout', () => {
    const args = ffmpegArgs(cam('camera:/dev/video0?fps=15&width=640&height=480'));
    expect(args.slice(args.indexOf('-f'), args.indexOf('-f') + 4)).toEqual(['-f', 'v4l2', '-i', '/dev/video0']);
    expect(args[args.indexOf('-vf') + 1]).toBe('fps=15,scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=white,format=gray');
    expect(args.slice(-5)).toEqual(['-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
  });

  it('uses TCP and a socket timeout for RTSP, real time and endless looping for a looping file', () => {
    expect(ffmpegArgs(cam('camera:rtsp://h/s'))).toEqual(expect.arrayContaining(['-rtsp_transport', 'tcp', '-timeout', '5000000']));
    const looped = ffmpegArgs(cam('camera:a.mp4?loop=1'));
    expect(looped).toEqual(expect.arrayContaining(['-re', '-stream_loop', '-1']));
    expect(ffmpegArgs(cam('camera:a.mp4'))).not.toContain('-re');
  });

  it('removes credentials from messages', () => {
    expect(redactCredentials('rtsp://admin:s3cret@10.0.0.7/x: 401 Unauthorized')).toBe('rtsp://***@10.0.0.7/x: 401 Unauthorized');
  });

  it('masks the values of secret-looking query parameters, plain or percent-encoded as in a kiosk URI', () => {
    // The README's own MJPEG form: the camera's query inside the kiosk URI, %3F / %26 / %3D.
    expect(redactCredentials('camera:http://host/videostream.cgi%3Fuser%3Dadmin%26pwd%3DS3cret?fps=5')).toBe('camera:http://host/videostream.cgi%3Fuser%3Dadmin%26pwd%3D***?fps=5');
    // ffmpeg's stderr names the decoded URL, followed by a colon.
    expect(redactCredentials('http://127.0.0.1:47531/videostream.cgi?user=admin&pwd=S3cret: Connection refused')).toBe('http://127.0.0.1:47531/videostream.cgi?user=admin&pwd=***: Connection refused');
    for (const name of ['pwd', 'PASSWORD', 'passwd', 'pass', 'pw', 'token', 'key', 'apikey', 'api_key', 'Auth', 'secret', 'sig', 'signature', 'credential', 'access_token', 'X-Api-Key']) {
      expect(redactCredentials(`http://h/v?ch=1&${name}=hunter2&res=hd`), name).toBe(`http://h/v?ch=1&${name}=***&res=hd`);
    }
    expect(redactCredentials('"rtsp://u:p@h/s?token=a.b.c" and http://h/x?res=720p&ch=2')).toBe('"rtsp://***@h/s?token=***" and http://h/x?res=720p&ch=2');
  });

  it('masks a secret after a ";" separator, under a percent-encoded name, and user-info after a one-slash scheme', () => {
    expect(redactCredentials('http://h/v.cgi?usr=admin;pwd=SECRET;res=hd')).toBe('http://h/v.cgi?usr=admin;pwd=***;res=hd');
    expect(redactCredentials('camera:http://h/v.cgi%3Fusr%3Dadmin%3Bpwd%3DSECRET?fps=5')).toBe('camera:http://h/v.cgi%3Fusr%3Dadmin%3Bpwd%3D***?fps=5');
    // %77 is 'w'; inside a kiosk URI the camera URL is encoded once more (%2577).
    expect(redactCredentials('http://h/v.cgi?usr=admin&p%77d=SECRET')).toBe('http://h/v.cgi?usr=admin&p%77d=***');
    expect(redactCredentials('camera:http://h/v.cgi%3Fusr%3Dadmin%26p%2577d%3DSECRET?fps=5')).toBe('camera:http://h/v.cgi%3Fusr%3Dadmin%26p%2577d%3D***?fps=5');
    expect(redactCredentials('http://h/v?%50%41%53%53%57%4F%52%44=SECRET&ch=1')).toBe('http://h/v?%50%41%53%53%57%4F%52%44=***&ch=1');
    // Not secrets: left as they are.
    expect(redactCredentials('http://h/v?ch=1;res=hd&n%61me=x')).toBe('http://h/v?ch=1;res=hd&n%61me=x');
    expect(redactCredentials('got "http:/bob:s3cret@127.0.0.1:47900"')).toBe('got "http:/***@127.0.0.1:47900"');
    expect(redactCredentials('http:\\\\bob:s3cret@h/x')).toBe('http:\\\\***@h/x');
  });
});

describe('FramePipe', () => {
  it('cuts a byte stream into whole frames whatever the chunking', () => {
    const frames: Buffer[] = [];
    const pipe = new FramePipe({ frameBytes: 4, accept: (f) => (frames.push(f), true), onStall: () => undefined, onResume: () => undefined });
    pipe.push(Buffer.from([1, 2, 3]));
    pipe.push(Buffer.from([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
    expect(frames.map((f) => [...f])).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ]);
    expect(pipe.partialBytes).toBe(1);
  });

  it('holds one refused frame and the rest of its chunk, stalls, and goes on after retry()', () => {
    const frames: number[][] = [];
    let open = false;
    let stalls = 0;
    let resumes = 0;
    const pipe = new FramePipe({ frameBytes: 2, accept: (f) => (open ? (frames.push([...f]), true) : false), onStall: () => stalls++, onResume: () => resumes++ });
    pipe.push(Buffer.from([1, 2, 3, 4, 5, 6]));
    expect(pipe.stalled).toBe(true);
    expect(stalls).toBe(1);
    // A source that ignores the pause: only the newest chunk is kept.
    pipe.push(Buffer.from([7, 8]));
    open = true;
    pipe.retry();
    expect(frames).toEqual([
      [1, 2],
      [7, 8],
    ]);
    expect(resumes).toBe(1);
    expect(pipe.stalled).toBe(false);
  });
});

describe('one scan per presentation', () => {
  it('a code held for 90 frames is one scan; it counts again only after it was gone long enough', () => {
    const t = new PresentationTracker();
    const out: string[] = [];
    let ms = 0;
    const frame = (...texts: string[]) => {
      out.push(...t.observe(ms, texts));
      ms += 66;
    };
    for (let i = 0; i < 90; i++) frame(i % 10 === 3 ? '' : 'A'); // a blurred frame now and then
    expect(out).toEqual(['A', '']);
    out.length = 0;
    // Gone for fewer than GONE_FRAMES frames or less than GONE_MS: the same presentation.
    frame();
    frame();
    frame('A');
    expect(out).toEqual([]);
    const framesForGone = Math.max(GONE_FRAMES, Math.ceil(GONE_MS / 66));
    for (let i = 0; i <= framesForGone; i++) frame();
    frame('A');
    expect(out).toEqual(['A']);
  });

  it('two codes in one frame are two scans, and a busy decoder (few frames) is not absence', () => {
    const t = new PresentationTracker();
    expect(t.observe(0, ['ID', 'DECL'])).toEqual(['ID', 'DECL']);
    // 5 s later but only one decoded frame without them: not gone yet.
    expect(t.observe(5000, [])).toEqual([]);
    expect(t.observe(5100, ['ID'])).toEqual([]);
  });

  it('a code held without a break is one presentation however long (it was counted again every 5 minutes)', () => {
    const t = new PresentationTracker();
    const out: string[] = [];
    // 30 minutes of a card left in view at 10 decoded frames a second, with a blurred frame now and then.
    for (let ms = 0; ms <= 30 * 60_000; ms += 100) out.push(...t.observe(ms, ms % 7_000 === 0 && ms > 0 ? [] : ['A']));
    expect(out).toEqual(['A']);
    // Taken away and shown again: a new presentation (the pipeline's duplicate window folds it).
    const back = 30 * 60_000 + 100;
    for (let i = 0; i < 15; i++) out.push(...t.observe(back + i * 100, []));
    out.push(...t.observe(back + 1_600, ['A']));
    expect(out).toEqual(['A', 'A']);
  });

  it('tracks a bounded number of codes', () => {
    const t = new PresentationTracker();
    for (let i = 0; i < 500; i++) t.observe(i, [`code-${i}`]);
    expect(t.tracked).toBeLessThanOrEqual(64);
  });
});

describe('aiming hint and grey frames', () => {
  const roi = { x: 0, y: 0, w: 640, h: 360 };
  const square = (side: number) => [
    { x: 0, y: 0 },
    { x: side, y: 0 },
    { x: side, y: side },
    { x: 0, y: side },
  ];
  it('says read, hold still, closer or aim from what the decoder saw', () => {
    expect(aimHint([{ text: 'x', valid: true, points: square(30) }], roi)).toBe('read');
    expect(aimHint([{ text: '', valid: false, points: square(200) }], roi)).toBe('hold-still');
    expect(aimHint([{ text: '', valid: false, points: square(30) }], roi)).toBe('closer');
    expect(aimHint([], roi)).toBe('aim');
  });

  it('crops the ROI into a PGM and box-averages a thumbnail', () => {
    const frame = Uint8Array.from({ length: 8 * 4 }, (_, i) => i);
    const pgm = roiToPgm(frame, 8, 4, { x: 2, y: 1, w: 3, h: 2 });
    const header = 'P5\n3 2\n255\n';
    expect(Buffer.from(pgm.subarray(0, header.length)).toString()).toBe(header);
    expect([...pgm.subarray(header.length)]).toEqual([10, 11, 12, 18, 19, 20]);
    expect(() => roiToPgm(frame, 8, 4, { x: 6, y: 0, w: 3, h: 2 })).toThrow(RangeError);
    expect(thumbnail(frame, 8, 4, 4)).toEqual({ width: 4, height: 2, pixels: Uint8Array.from([5, 7, 9, 11, 21, 23, 25, 27]) });
  });
});

describe('V4L2 listing', () => {
  const root = mkdtempSync(join(tmpdir(), 'v4l2-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function node(name: string, files: Record<string, string>): void {
    mkdirSync(join(root, 'sys', name), { recursive: true });
    for (const [f, v] of Object.entries(files)) writeFileSync(join(root, 'sys', name, f), `${v}\n`);
  }

  it('lists capture nodes (index 0) with their names and USB ids, leaving out metadata nodes', async () => {
    mkdirSync(join(root, 'usb', '1-1', '1-1:1.0'), { recursive: true });
    writeFileSync(join(root, 'usb', '1-1', 'idVendor'), '046d\n');
    writeFileSync(join(root, 'usb', '1-1', 'idProduct'), '082D\n');
    node('video0', { name: 'HD Pro Webcam C920', index: '0' });
    node('video1', { name: 'HD Pro Webcam C920', index: '1' });
    node('video10', { name: 'Capture card', index: '0' });
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(root, 'usb', '1-1', '1-1:1.0'), join(root, 'sys', 'video0', 'device'));
    const list = listV4l2Devices(join(root, 'sys'), '/dev');
    expect(list).toEqual([
      { path: '/dev/video0', name: 'HD Pro Webcam C920', vendorId: '046d', productId: '082d' },
      { path: '/dev/video10', name: 'Capture card' },
    ]);
    const found = await discover({ listCameras: async () => list });
    expect(found.entries.map((e) => [e.kind, e.uri, e.recommended])).toEqual([
      ['camera', 'camera:/dev/video0', false],
      ['camera', 'camera:/dev/video10', false],
    ]);
    // `auto` never turns a camera on.
    expect(pickAuto(found.entries)).toEqual([]);
    expect(cameraEntry(list[0]!).why).toMatch(/--scanner camera:\/dev\/video0/);
  });

  it('falls back to /dev/video* without sysfs, and to nothing without either', () => {
    mkdirSync(join(root, 'dev'), { recursive: true });
    writeFileSync(join(root, 'dev', 'video3'), '');
    writeFileSync(join(root, 'dev', 'ttyS0'), '');
    expect(listV4l2Devices(join(root, 'no-sysfs'), join(root, 'dev'))).toEqual([{ path: join(root, 'dev', 'video3'), name: 'video3' }]);
    expect(listV4l2Devices(join(root, 'no-sysfs'), join(root, 'no-dev'))).toEqual([]);
  });
});
