/**
 * The device manager seen as one ScannerDriver (what KioskService takes): 'scan', 'status' and
 * 'error' are relayed, open/close/status delegate. Everything else (health, self-test, devices)
 * stays on the manager itself.
 */
import { EventEmitter } from 'node:events';
import type { ScannerStatus } from '../../src/shared/types.js';
import type { ScannerDriver, ScannerEvents } from '../types.js';
import type { DeviceManager } from './device-manager.js';

export class ManagerScannerView extends EventEmitter<ScannerEvents> implements ScannerDriver {
  readonly deviceId: string;
  readonly uri: string;

  constructor(private readonly manager: DeviceManager) {
    super();
    this.deviceId = manager.deviceId;
    this.uri = manager.uri;
    manager.on('scan', (scan) => this.emit('scan', scan));
    manager.on('status', (status) => this.emit('status', status));
    // Relay errors only when someone listens here: an unheard 'error' would throw.
    manager.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
  }

  open(): Promise<void> {
    return this.manager.open();
  }

  close(): Promise<void> {
    return this.manager.close();
  }

  status(): ScannerStatus {
    return this.manager.status();
  }
}
