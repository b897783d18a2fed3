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
import { writeFileSync } from 'node:fs';
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
let segCount = 0;

async function qrPng(dir: string, text: string, size: number): Promise<string> {
  const file = join(dir, `qr-${process.pid}-${pngCount++}.png`);
  await QRCode.toFile(file, text, { width: size, margin: 4, errorCorrectionLevel: 'M' });
  return file;
}

async function segmentClip(dir: string, seg: Segment, i: number, fps: number, w: number, h: number): Promise<string> {
  const out = join(dir, `seg-${process.pid}-${segCount++}-${i}.mkv`);
  const enc = ['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '12', '-pix_fmt', 'yuv420p', '-r', String(fps)];
  const bg = `color=white:s=${w}x${h}:r=${fps}`;
  if ('blank' in seg) {
    await ff(['-f', 'lavfi', '-i', bg, '-frames:v', String(seg.blank), ...enc, out]);
    return out;
  }
  if (!('text' in seg)) {
    await ff(['-f', 'lavfi', '-i', bg, '-vf', 'noise=alls=100:allf=t+u', '-frames:v', String(seg.noise), ...enc, out]);
    return out;
  }
  const size = seg.size ?? 360;
  const png = await qrPng(dir, seg.text, size);
  const inputs = ['-f', 'lavfi', '-i', bg, '-i', png];
  const rot = seg.rotate ? `,rotate=${seg.rotate}*PI/180:ow=rotw(${seg.rotate}*PI/180):oh=roth(${seg.rotate}*PI/180):c=white` : '';
  const x = `(W-w)/2+${seg.offsetX ?? 0}`;
  let graph: string;
  if (seg.also !== undefined) {
    inputs.push('-i', await qrPng(dir, seg.also, size));
    graph = `[1]format=rgba${rot}[a];[2]format=rgba${rot}[b];[0][a]overlay=W/4-w/2:(H-h)/2[t];[t][b]overlay=3*W/4-w/2:(H-h)/2`;
  } else {
    graph = `[1]format=rgba${rot}[a];[0][a]overlay=${x}:(H-h)/2`;
  }
  if (seg.blur) graph += `,gblur=sigma=${seg.blur}`;
  if (seg.noise) graph += `,noise=alls=${seg.noise}:allf=t`;
  await ff([...inputs, '-filter_complex', graph, '-frames:v', String(seg.frames), ...enc, out]);
  return out;
}

/** Renders the segments into one .mp4 and returns its path and the frame count. */
export async function makeQrVideo(dir: string, segments: readonly Segment[], opts: VideoOptions = {}): Promise<{ path: string; frames: number }> {
  const fps = opts.fps ?? 10;
  const w = opts.width ?? 640;
  const h = opts.height ?? 360;
  // Two encoders at a time: enough to use both cores, few enough not to starve other tests.
  const clips: string[] = new Array<string>(segments.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < segments.length; i = next++) clips[i] = await segmentClip(dir, segments[i] as Segment, i, fps, w, h);
  };
  await Promise.all([worker(), worker()]);
  const list = join(dir, `${opts.name ?? 'video'}.txt`);
  writeFileSync(list, clips.map((c) => `file '${c}'`).join('\n'));
  const path = join(dir, `${opts.name ?? 'video'}.mp4`);
  await ff(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', path]);
  const frames = segments.reduce((n, s) => n + ('text' in s ? s.frames : 'blank' in s ? s.blank : s.noise), 0);
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
