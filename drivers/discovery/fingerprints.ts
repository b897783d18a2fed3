/**
 * What a scanner looks like on USB. Vendor ids are from usb.ids and vendor integration guides;
 * cheap keyboard-mode scanners (Inateck, Netum, Eyoyo, Tera and similar) ship on generic chip
 * vendors, so they are recognised by known VID:PID pairs and by their product strings instead.
 * Scores are additive (see score.ts); the table is data so a site can extend it.
 */

export interface VendorFingerprint {
  vendorId: number;
  vendor: string;
  /** Makes almost nothing but scanners (a keyboard interface from them is a scanner in keyboard mode). */
  scannerMaker: boolean;
  /** Product ids with a known interface mode (Zebra encodes the host mode in the PID). */
  products?: Record<number, { name: string; mode: 'hid-pos' | 'keyboard' | 'serial' | 'other' }>;
}

export const SCANNER_VENDORS: readonly VendorFingerprint[] = [
  { vendorId: 0x0c2e, vendor: 'Honeywell (Metrologic)', scannerMaker: true },
  { vendorId: 0x0536, vendor: 'Honeywell (Hand Held Products)', scannerMaker: true },
  { vendorId: 0x067e, vendor: 'Intermec (Honeywell)', scannerMaker: true },
  {
    vendorId: 0x05e0,
    vendor: 'Zebra (Symbol/Motorola)',
    scannerMaker: true,
    products: {
      0x0600: { name: 'CDC COM port emulation', mode: 'serial' },
      0x1200: { name: 'HID keyboard emulation', mode: 'keyboard' },
      0x1300: { name: 'IBM hand-held / HID POS', mode: 'hid-pos' },
      0x1400: { name: 'IBM table-top', mode: 'hid-pos' },
      0x1900: { name: 'SNAPI', mode: 'other' },
    },
  },
  { vendorId: 0x05f9, vendor: 'Datalogic', scannerMaker: true },
  { vendorId: 0x1eab, vendor: 'Newland', scannerMaker: true },
  { vendorId: 0x065a, vendor: 'Opticon', scannerMaker: true },
];

/** Generic-chip VID:PID pairs seen on unbranded keyboard-mode scanners. */
export const GENERIC_SCANNER_IDS: ReadonlyArray<{ vendorId: number; productId: number; note: string }> = [
  { vendorId: 0x0581, productId: 0x0115, note: 'unbranded 1D/2D keyboard-mode scanner' },
];

/** USB-serial bridges: an RS-232 scanner may sit behind one, but so may anything else. */
export const USB_SERIAL_BRIDGES: ReadonlyArray<{ vendorId: number; vendor: string }> = [
  { vendorId: 0x0403, vendor: 'FTDI' },
  { vendorId: 0x067b, vendor: 'Prolific' },
  { vendorId: 0x10c4, vendor: 'Silicon Labs CP210x' },
  { vendorId: 0x1a86, vendor: 'QinHeng CH340' },
];

/** Product/manufacturer strings that name a barcode scanner. */
export const SCANNER_NAME_PATTERN = /bar ?code|scanner|imager|\bscan\b|\bqr\b|\b2d\b|\bhid ?kbw\b/i;

/** Names that are never scanners even if the pattern above matched ("Document Scanner"...). */
export const NOT_A_SCANNER_PATTERN = /fingerprint|document|flatbed|mouse|touch ?pad|trackpad/i;

export function vendorFingerprint(vendorId: number | undefined): VendorFingerprint | undefined {
  return vendorId === undefined ? undefined : SCANNER_VENDORS.find((v) => v.vendorId === vendorId);
}
