/**
 * Test helper: real videos of QR codes, made at test time with the `qrcode` package and Debian's
 * ffmpeg (no recorded fixtures, no mocked decoder).
 *
 *   const v = await makeQrVideo(dir, [{ text: 'A', frames: 20 }, { blank: 10 }, { text: 'B', frames: 20, blur: 2 }]);
 *   // v.path: an H.264 .mp4 at `fps`, width×height, white background
 *
 * Segments: a code (`text`, `frames`, code side `size` px, optional `blur` sigma, `noise`
 * strength 0..100, `rotate` degrees, `offsetX` px from the centre; `also` puts a second code
 * beside it), or `blank` frames (white), or `noise` frames (random grey). Keep videos short: a
 * few seconds at low fps, so the suite stays fast on two cores.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import QRCode from 'qrcode';

const run = promisify(execFile);

export type Segment =
  | { text: string; frames: number; size?: number; blur?: number; noise?: number; rotate?: number; offsetX?: number; also?: string }
  | { blank: number }
  | { noise: number };

export interface VideoOptions {
  fps?: number;
  width?: number;
  height?: number;
  name?: string;
}

let pngCount = 0;

async function qrPng(dir: string, text: string, size: number): Promise<string> {
  const file = join(dir, `qr-${process.pid}-${pngCount++}.png`);
  await QRCode.toFile(file, text, { width: size, margin: 4, errorCorrectionLevel: 'M' });
  return file;
}

/**
 * One ffmpeg run renders the whole video: a white background, each code image overlaid only
 * during its frames (timeline `enable=between(n,…)`), blur and noise likewise. One process per
 * video keeps generation fast on a loaded two-core machine.
 */
export async function makeQrVideo(dir: string, segments: readonly Segment[], opts: VideoOptions = {}): Promise<{ path: string; frames: number }> {
  const fps = opts.fps ?? 10;
  const w = opts.width ?? 640;
  const h = opts.height ?? 360;
  const frames = segments.reduce((n, s) => n + ('text' in s ? s.frames : 'blank' in s ? s.blank : s.noise), 0);
  const inputs = ['-f', 'lavfi', '-i', `color=white:s=${w}x${h}:r=${fps}`];
  const chain: string[] = [];
  const effects: string[] = [];
  let last = '0:v';
  let input = 1;
  let start = 0;
  for (const seg of segments) {
    const count = 'text' in seg ? seg.frames : 'blank' in seg ? seg.blank : seg.noise;
    const on = `enable='between(n,${start},${start + count - 1})'`;
    start += count;
    if (!('text' in seg)) {
      if ('noise' in seg) effects.push(`noise=alls=100:allf=t+u:${on}`);
      continue;
    }
    const size = seg.size ?? 360;
    const a = seg.rotate ? `${seg.rotate}*PI/180` : '';
    const rot = a ? `,rotate=${a}:ow=rotw(${a}):oh=roth(${a}):c=white` : '';
    const place = seg.also === undefined ? [[seg.text, `(W-w)/2+${seg.offsetX ?? 0}`]] : [[seg.text, 'W/4-w/2'], [seg.also, '3*W/4-w/2']];
    for (const [text, x] of place) {
      inputs.push('-i', await qrPng(dir, text as string, size));
      chain.push(`[${input}:v]format=rgba${rot}[q${input}]`, `[${last}][q${input}]overlay=${x}:(H-h)/2:${on}[v${input}]`);
      last = `v${input}`;
      input++;
    }
    if (seg.blur) effects.push(`gblur=sigma=${seg.blur}:${on}`);
    if (seg.noise) effects.push(`noise=alls=${seg.noise}:allf=t:${on}`);
  }
  const graph = [...chain, `[${last}]${['null', ...effects].join(',')}[out]`].join(';');
  const path = join(dir, `${opts.name ?? 'video'}.mp4`);
  await ff([...inputs, '-filter_complex', graph, '-map', '[out]', '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '14', '-pix_fmt', 'yuv420p', '-r', String(fps), path]);
  return { path, frames };
}

async function ff(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 1024 * 1024 });
}

/** A free TCP port on 127.0.0.1 (asked from the OS, released again). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A live HTTP MJPEG stream (multipart/x-mixed-replace) served by an ffmpeg process on 127.0.0.1,
 * looping `video` in real time — what an IP camera's MJPEG URL gives. ffmpeg's HTTP server takes
 * one client and exits when that client leaves; kill() is a camera that dies, start() again on the
 * same port is the camera coming back.
 */
export class MjpegServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly video: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/stream.mjpg`;
  }

  start(): void {
    this.child = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', this.video, '-c:v', 'mjpeg', '-q:v', '3', '-f', 'mpjpeg', '-listen', '1', this.url],
      { stdio: 'ignore' },
    );
  }

  /** SIGKILL (a camera losing power); resolves when the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
