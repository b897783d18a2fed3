/**
 * Aiming help for camera scanners on the attract screen: the camera's low-rate grey preview, the
 * region it reads (dashed frame), outlines of codes it sees (green: read, amber: seen but not yet
 * readable) and a hint in both languages. The pictures come from the kiosk over the UI API's
 * `preview` event, only while this screen listens; nothing of them is kept after it is drawn.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KioskStatus } from '../../../src/shared/api.js';
import type { AimHint, CameraPreview as Preview } from '../../../src/shared/types.js';
import { currentApi } from '../api-client.js';
import type { Lang } from '../i18n.js';

/** A preview older than this is hidden (camera gone or stream stalled), ms. */
const STALE_MS = 3000;

const HINTS: Record<Lang, Record<AimHint, string>> = {
  vi: { aim: 'Đưa mã QR vào khung', 'hold-still': 'Giữ yên mã QR', closer: 'Đưa mã QR lại gần hơn', read: 'Đã đọc mã' },
  en: { aim: 'Show your QR code inside the frame', 'hold-still': 'Hold the code still', closer: 'Move the code closer', read: 'Code read' },
};

export function CameraPreview({ lang, status }: { lang: Lang; status: KioskStatus | null }) {
  const hasCamera = status?.scanners.some((s) => s.deviceId.startsWith('camera:')) ?? false;
  const [preview, setPreview] = useState<Preview | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const api = currentApi();
    if (!hasCamera || !api) return undefined;
    let stale: ReturnType<typeof setTimeout> | undefined;
    const off = api.on('preview', (p) => {
      setPreview(p);
      clearTimeout(stale);
      stale = setTimeout(() => setPreview(null), STALE_MS);
    });
    return () => {
      off();
      clearTimeout(stale);
      setPreview(null);
    };
  }, [hasCamera]);

  useEffect(() => {
    const el = canvas.current;
    if (el && preview) draw(el, preview);
  }, [preview]);

  if (!hasCamera || !preview) return null;
  return (
    <figure class="camera-preview" data-testid="camera-preview" data-hint={preview.hint}>
      <canvas ref={canvas} width={preview.width} height={preview.height} />
      <figcaption class={`camera-hint camera-hint-${preview.hint}`}>
        <span>{HINTS[lang][preview.hint]}</span>
        <span class="camera-hint-other">{HINTS[lang === 'vi' ? 'en' : 'vi'][preview.hint]}</span>
      </figcaption>
    </figure>
  );
}

function draw(el: HTMLCanvasElement, p: Preview): void {
  const ctx = el.getContext('2d');
  if (!ctx) return;
  const grey = Uint8Array.from(atob(p.pixels), (c) => c.charCodeAt(0));
  if (grey.length !== p.width * p.height) return;
  const img = ctx.createImageData(p.width, p.height);
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] ?? 0;
    img.data[i * 4] = v;
    img.data[i * 4 + 1] = v;
    img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = '#1e88e5';
  ctx.strokeRect(p.roi.x * p.width, p.roi.y * p.height, p.roi.w * p.width, p.roi.h * p.height);
  ctx.setLineDash([]);
  for (const code of p.codes) {
    ctx.strokeStyle = code.read ? '#2e7d32' : '#f9a825';
    ctx.beginPath();
    code.points.forEach((pt, i) => (i === 0 ? ctx.moveTo(pt.x * p.width, pt.y * p.height) : ctx.lineTo(pt.x * p.width, pt.y * p.height)));
    ctx.closePath();
    ctx.stroke();
  }
  grey.fill(0);
}
