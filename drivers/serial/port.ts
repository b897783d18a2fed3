/**
 * The seam between the serial driver and the `serialport` package: the driver only needs an open
 * port that emits `data`, `close` and `error`, and can be closed. Tests pass a fake opener; the
 * real one loads `serialport` with dynamic import() so nothing native is loaded until a real
 * serial scanner is used.
 */
export interface SerialPortLike {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  /** `err.disconnected === true` when the device went away (serialport's DisconnectedError). */
  on(event: 'close', listener: (err?: Error | null) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(): unknown;
  readonly isOpen: boolean;
  close(callback?: (err: Error | null) => void): void;
}

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
}

/** Opens a port; resolves once it is open, rejects with the OS error (e.g. ENOENT, EACCES). */
export type SerialPortOpener = (options: SerialOpenOptions) => Promise<SerialPortLike>;

/**
 * Identifies what a device path currently points at, or undefined when it is gone. Used by the
 * driver's presence watchdog: serialport does not always notice that a pty's master went away (a
 * hung-up slave reads 0 bytes, which bindings-cpp retries forever instead of reporting), and a
 * USB adapter that is unplugged removes its /dev node and /dev/serial/by-id link.
 */
export type DevicePresenceProbe = (path: string) => Promise<string | undefined>;

/** The real probe: stat() through symlinks; the identity is device, inode and rdev. */
export const probeDevicePath: DevicePresenceProbe = async (path) => {
  const { stat } = await import('node:fs/promises');
  try {
    const st = await stat(path);
    return `${st.dev}:${st.ino}:${st.rdev}`;
  } catch {
    return undefined;
  }
};

/** The real opener on serialport 13. */
export const openRealSerialPort: SerialPortOpener = async ({ path, baudRate }) => {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(err) : resolve()));
  });
  return port;
};

/** Closes a port, swallowing errors (it may already be gone); resolves when done. */
export function closeQuietly(port: SerialPortLike): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) {
      resolve();
      return;
    }
    try {
      port.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
