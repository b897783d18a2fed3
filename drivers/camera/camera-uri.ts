/**
 * `camera:` scanner URIs: where the frames come from and how they are sampled.
 *
 *   camera:/dev/video0                      V4L2 capture device (USB webcam)
 *   camera:rtsp://user:pass@10.0.0.7/stream IP camera, RTSP (H.264/H.265/MJPEG), over TCP
 *   camera:http://10.0.0.7/mjpeg            IP camera, HTTP (MJPEG multipart or any stream ffmpeg reads)
 *   camera:./drive-through.mp4?loop=1       recorded video (tests, demos); without loop it is finite
 *
 * Options (query string): fps (1..30, default 10) frames decoded per second at most; width,
 * height (default 1280×720) the size frames are scaled to (aspect kept, padded); roi=x,y,w,h the
 * region of interest decoded, either as fractions of the frame (0.25,0.25,0.5,0.5 — every value
 * 0..1 with a decimal point) or as whole pixels of the scaled frame (320,180,640,360); loop=1 for
 * files only. Unknown or repeated options are errors naming the option.
 *
 * An IP camera URL that has its own query string writes `?` as %3F and `&` as %26 (the kiosk's
 * options use the plain `?`); the URL part is percent-decoded once before it is handed to ffmpeg.
 */

/** Pixel rectangle inside the scaled frame. */
export interface Roi {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type CameraSourceKind = 'v4l2' | 'rtsp' | 'http' | 'file';

export interface CameraUri {
  kind: 'camera';
  uri: string;
  source: CameraSourceKind;
  /** Device path, URL (decoded, credentials included: never log it) or file path. */
  location: string;
  fps: number;
  width: number;
  height: number;
  roi: Roi;
  loop: boolean;
}

export const CAMERA_OPTIONS = ['fps', 'width', 'height', 'roi', 'loop'] as const;
export const DEFAULT_CAMERA_FPS = 10;
export const MAX_CAMERA_FPS = 30;
export const DEFAULT_CAMERA_WIDTH = 1280;
export const DEFAULT_CAMERA_HEIGHT = 720;
/** Frame size bounds (pixels): the largest grey frame is 1920×1080 = 2 MiB. */
export const CAMERA_SIZE_LIMITS = { minWidth: 160, maxWidth: 1920, minHeight: 120, maxHeight: 1080 } as const;
/** Smallest ROI side in pixels: below this no QR code of a credential can be read. */
export const MIN_ROI_PIXELS = 64;

type Fail = (detail: string) => never;

/** Parses the part after `camera:` (rest) and its options. Calls fail() with a specific message. */
export function parseCameraUri(uri: string, rest: string | undefined, params: Map<string, string>, fail: Fail): CameraUri {
  if (!rest) fail('camera needs a device, URL or file, e.g. camera:/dev/video0, camera:rtsp://HOST/PATH or camera:video.mp4');
  const raw = rest as string;
  for (const key of params.keys()) {
    if (!(CAMERA_OPTIONS as readonly string[]).includes(key)) fail(`unknown option "${key}" for camera (known: ${CAMERA_OPTIONS.join(', ')})`);
  }
  const source = sourceOf(raw);
  let location = raw;
  if (source === 'rtsp' || source === 'http') {
    try {
      location = decodeURIComponent(raw);
    } catch {
      fail('the camera URL is not valid percent-encoding');
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(location);
    } catch {
      fail('the camera URL is not a valid URL');
    }
    if (!parsed?.hostname) fail('the camera URL needs a host, e.g. camera:rtsp://192.168.1.20/stream1');
  }
  if (source === 'v4l2' && !/^\/dev\/[\w./-]+$/u.test(raw)) fail(`camera device must be a /dev path such as /dev/video0, got "${raw}"`);
  const fps = intOption(params, 'fps', 1, MAX_CAMERA_FPS, DEFAULT_CAMERA_FPS, 'frames per second', fail);
  const width = evenOption(params, 'width', CAMERA_SIZE_LIMITS.minWidth, CAMERA_SIZE_LIMITS.maxWidth, DEFAULT_CAMERA_WIDTH, fail);
  const height = evenOption(params, 'height', CAMERA_SIZE_LIMITS.minHeight, CAMERA_SIZE_LIMITS.maxHeight, DEFAULT_CAMERA_HEIGHT, fail);
  const loopText = params.get('loop');
  let loop = false;
  if (loopText !== undefined) {
    if (source !== 'file') fail('loop is only for video files (a camera or stream never ends)');
    if (loopText === '1' || loopText === 'true' || loopText === '') loop = true;
    else if (loopText !== '0' && loopText !== 'false') fail(`loop must be 1, 0, true or false, got "${loopText}"`);
  }
  const roiText = params.get('roi');
  const roi = roiText === undefined ? { x: 0, y: 0, w: width, h: height } : parseRoi(roiText, width, height, fail);
  return { kind: 'camera', uri, source, location, fps, width, height, roi, loop };
}

function sourceOf(rest: string): CameraSourceKind {
  const lower = rest.toLowerCase();
  if (lower.startsWith('rtsp://') || lower.startsWith('rtsps://')) return 'rtsp';
  if (lower.startsWith('http://') || lower.startsWith('https://')) return 'http';
  if (lower.startsWith('/dev/')) return 'v4l2';
  return 'file';
}

/**
 * The id a camera is known by in logs, status and check-ins: never a password or a URL's
 * query (tokens live there). camera:/dev/video0, camera:rtsp://10.0.0.7:554/stream1, camera:FILE-NAME.
 */
export function cameraDeviceId(cam: Pick<CameraUri, 'source' | 'location'>): string {
  if (cam.source === 'rtsp' || cam.source === 'http') {
    try {
      const u = new URL(cam.location);
      return `camera:${u.protocol}//${u.host}${u.pathname}`;
    } catch {
      return 'camera:stream';
    }
  }
  if (cam.source === 'file') return `camera:${cam.location.split(/[\\/]/u).pop() ?? cam.location}`;
  return `camera:${cam.location}`;
}

function intOption(params: Map<string, string>, name: string, min: number, max: number, dflt: number, what: string, fail: Fail): number {
  const text = params.get(name);
  if (text === undefined) return dflt;
  const n = /^\d{1,5}$/u.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) fail(`${name} must be whole ${what} in ${min}..${max}, got "${text}"`);
  return n;
}

function evenOption(params: Map<string, string>, name: string, min: number, max: number, dflt: number, fail: Fail): number {
  const n = intOption(params, name, min, max, dflt, 'pixels', fail);
  if (n % 2 !== 0) fail(`${name} must be an even number of pixels (video scaling needs it), got "${n}"`);
  return n;
}

function parseRoi(text: string, width: number, height: number, fail: Fail): Roi {
  const parts = text.split(',');
  if (parts.length !== 4) fail(`roi must be x,y,w,h (fractions like 0.25,0.25,0.5,0.5 or pixels like 320,180,640,360), got "${text}"`);
  const fractions = parts.every((p) => /^0?\.\d{1,6}$|^1(\.0{1,6})?$|^0$/u.test(p)) && parts.some((p) => p.includes('.'));
  const pixels = parts.every((p) => /^\d{1,5}$/u.test(p));
  if (!fractions && !pixels) fail(`roi values must be all fractions 0..1 with a decimal point or all whole pixels, got "${text}"`);
  const [a, b, c, d] = parts.map(Number) as [number, number, number, number];
  const roi = fractions
    ? { x: Math.round(a * width), y: Math.round(b * height), w: Math.round(c * width), h: Math.round(d * height) }
    : { x: a, y: b, w: c, h: d };
  if (roi.x + roi.w > width || roi.y + roi.h > height) fail(`roi ${text} reaches outside the ${width}x${height} frame`);
  if (roi.w < MIN_ROI_PIXELS || roi.h < MIN_ROI_PIXELS) fail(`roi ${text} is smaller than ${MIN_ROI_PIXELS}x${MIN_ROI_PIXELS} pixels of the ${width}x${height} frame`);
  return roi;
}
