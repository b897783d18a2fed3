/**
 * The ffmpeg command line of a camera scanner: open the source, sample it at `fps`, scale it into
 * width×height (aspect kept, padded white so a code at the edge keeps its quiet zone), convert to
 * 8-bit grey and write raw frames (width·height bytes each, no header) to stdout.
 *
 * Debian's ffmpeg 5.1 speaks V4L2, RTSP, HTTP (MJPEG multipart included) and files. Timeouts make a
 * dead network stream end the process instead of hanging it, so the driver can reconnect.
 */
import type { CameraUri } from './camera-uri.js';

/** Socket I/O timeout for network sources, microseconds (ffmpeg's unit). */
export const NETWORK_TIMEOUT_US = 5_000_000;

export function ffmpegArgs(cam: CameraUri): string[] {
  const input: string[] = [];
  switch (cam.source) {
    case 'v4l2':
      input.push('-f', 'v4l2', '-i', cam.location);
      break;
    case 'rtsp':
      // TCP: no lost packets smearing the picture; -timeout is the socket timeout in µs.
      input.push('-rtsp_transport', 'tcp', '-timeout', String(NETWORK_TIMEOUT_US), '-i', cam.location);
      break;
    case 'http':
      input.push('-rw_timeout', String(NETWORK_TIMEOUT_US), '-i', cam.location);
      break;
    case 'file':
      // A looping file plays in real time (-re) like a camera would; a finite one is read as fast
      // as the decoder takes frames (the driver paces the pipe), so every sampled frame is decoded.
      if (cam.loop) input.push('-re', '-stream_loop', '-1');
      input.push('-i', cam.location);
      break;
  }
  const { fps, width: w, height: h } = cam;
  const filter = `fps=${fps},scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=white,format=gray`;
  return ['-nostdin', '-hide_banner', '-loglevel', 'error', ...input, '-an', '-sn', '-dn', '-vf', filter, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'];
}

/** Masks `user:password@` and secret query values (src/shared/redact-credentials.ts) in ffmpeg's messages and the camera's URI. */
export { redactCredentials } from '../../src/shared/redact-credentials.js';
