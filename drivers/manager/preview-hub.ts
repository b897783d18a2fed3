/**
 * Fans the cameras' aiming previews out to the screens that subscribed, and turns preview
 * rendering on in the drivers only while there is at least one subscriber (a headless kiosk
 * never renders a picture).
 */
import type { CameraPreview } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import type { ScannerDriver } from '../types.js';

export class PreviewHub {
  private readonly listeners = new Set<(preview: CameraPreview) => void>();

  constructor(
    private readonly drivers: () => Iterable<ScannerDriver>,
    private readonly log: Logger,
  ) {}

  /** Subscribes; returns the unsubscribe function. */
  watch(listener: (preview: CameraPreview) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) for (const d of this.drivers()) this.attach(d);
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      for (const d of this.drivers()) d.setPreviewSink?.(undefined);
    };
  }

  /** A driver joined: give it the sink when someone is watching. */
  attach(driver: ScannerDriver): void {
    if (this.listeners.size > 0) driver.setPreviewSink?.(this.sink);
  }

  private readonly sink = (preview: CameraPreview): void => {
    for (const l of this.listeners) {
      try {
        l(preview);
      } catch (err) {
        this.log.error('preview listener threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
}
