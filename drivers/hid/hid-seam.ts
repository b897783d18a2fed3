/**
 * The node-hid seam: the smallest slice of node-hid 3.x (HID.HIDAsync + devices()) the HID
 * drivers need. Drivers only see these interfaces; the real node-hid is loaded with a dynamic
 * import() inside `loadNodeHid()` (called by the real factory only), so unit tests never load the
 * native binary (which also needs Debian's libusb-1.0-0). test/fakes/fake-hid.ts implements it.
 */

/** One entry of HID.devices() (node-hid `Device`). On Linux `path` is '/dev/hidrawN'. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  release: number;
  /** USB interface number; -1 when the backend does not know it. */
  interface: number;
  /** Top-level usage page of the interface (0x8C = HID POS bar code scanner, 0x01 = generic desktop). */
  usagePage?: number;
  /** Top-level usage (6 = keyboard, 2 = mouse on page 0x01; 2 = bar code scanner on page 0x8C). */
  usage?: number;
}

/**
 * An open HID device, shaped like node-hid's HIDAsync. Contract relied on by the drivers:
 * 'data' carries one input report (report id first when the device numbers its reports, see
 * drivers/hid/pos-vendors.ts for the platform differences); 'error' is emitted when a read fails
 * (an unplugged device emits 'error' once and then no more 'data').
 */
export interface HidHandle {
  on(event: 'data', listener: (report: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  removeAllListeners(event?: string): this;
  /** Writes an output report; byte 0 is the report id (0 when the device has none). Resolves to bytes written. */
  write(values: number[] | Buffer): Promise<number>;
  /** Sends a feature report; byte 0 is the report id. Resolves to bytes written. */
  sendFeatureReport(data: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}

/** The two node-hid entry points the drivers and discovery use. */
export interface HidApi {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

interface NodeHidModule {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<unknown> };
}

/**
 * Loads the real node-hid. Only the real factory (drivers/factory.ts) and the `devices` command
 * call this. Rejects with a clear message when the native module cannot be loaded.
 */
export async function loadNodeHid(): Promise<HidApi> {
  let mod: NodeHidModule;
  try {
    // node-hid is CommonJS: its exports arrive as the default export, named ones only sometimes.
    const imported = (await import('node-hid')) as unknown as Partial<NodeHidModule> & { default?: NodeHidModule };
    mod = typeof imported.devicesAsync === 'function' ? (imported as NodeHidModule) : (imported.default as NodeHidModule);
  } catch (err) {
    throw new Error(`node-hid could not be loaded (is libusb-1.0-0 installed?): ${(err as Error).message}`, { cause: err });
  }
  return {
    devices: () => mod.devicesAsync(),
    // nonExclusive: on macOS, an exclusive open of a keyboard interface fails; harmless elsewhere.
    open: async (path: string) => (await mod.HIDAsync.open(path, { nonExclusive: true })) as HidHandle,
  };
}

/** 'hid-pos:0C2E:0B87' style id part: four upper-case hex digits. */
export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
