/**
 * Per-vendor HID POS (usage page 0x8C) layouts and quirks, as data. The shared layout is the one of
 * the USB "HID Point of Sale Usage Tables" scanned-data report (docs/SCANNERS.md):
 *
 *   byte 0      report id 0x02
 *   byte 1      number of data bytes in this report (0..56)
 *   bytes 2-4   AIM symbology id, e.g. ']Q1' (zeros when the scanner is set not to send it)
 *   bytes 5-60  data (56 bytes, zero padded)
 *   bytes 61-62 vendor use (Honeywell: its own one-byte Code ID at 61)
 *   byte 63     bit 0 set = more reports of the same read follow
 *
 * Platform note: hidapi passes the report id as byte 0 for devices with numbered reports (all HID
 * POS scanners) on Linux hidraw, libusb and Windows; WebHID and some macOS paths hand it over
 * separately, so a 63-byte report starting with the length byte is accepted when a vendor entry
 * says `reportId: 'auto'` (the default). Nothing here was measured on hardware by us: the entries
 * come from vendor manuals and public captures, and every field can be overridden per device.
 */

export interface PosLayout {
  /** Input report id of scanned data. */
  reportId: number;
  /** Full report length including the report id byte. */
  reportLength: number;
  lengthOffset: number;
  aimOffset: number;
  dataOffset: number;
  maxDataPerReport: number;
  continuationOffset: number;
  continuationMask: number;
  /** 'always': byte 0 must be the report id. 'auto': also accept reports with the id stripped. */
  reportIdPresence: 'always' | 'auto';
  /** Offset of a vendor-specific symbology code (Honeywell Code ID), when the vendor has one. */
  vendorCodeIdOffset?: number;
}

/** A report to send: `kind` says which node-hid call; bytes[0] is the report id. */
export interface HidCommand {
  kind: 'feature' | 'output';
  bytes: number[];
  /** Why this command exists (shown in diagnostics). */
  note: string;
}

export interface PosVendorProfile {
  vendorId: number;
  vendor: string;
  layout: PosLayout;
  /** Sent once after every open. Optional: a scanner that ignores it still works. */
  init: HidCommand[];
  /** Good/bad read indication; absent = not supported (indicate() is then a no-op). */
  indicate: { good?: HidCommand[]; bad?: HidCommand[] };
  quirks: string[];
}

export const STANDARD_POS_LAYOUT: PosLayout = {
  reportId: 0x02,
  reportLength: 64,
  lengthOffset: 1,
  aimOffset: 2,
  dataOffset: 5,
  maxDataPerReport: 56,
  continuationOffset: 63,
  continuationMask: 0x01,
  reportIdPresence: 'auto',
};

/** Honeywell's USB HID interface takes host commands as output report 0xFD: [0xFD, len, SYN, cmd.., CR]. */
const HONEYWELL_BEEP: HidCommand = { kind: 'output', bytes: [0xfd, 0x03, 0x16, 0x07, 0x0d], note: 'SYN BEL CR: one beep' };

export const POS_VENDOR_PROFILES: readonly PosVendorProfile[] = [
  {
    vendorId: 0x0c2e,
    vendor: 'Honeywell',
    layout: { ...STANDARD_POS_LAYOUT, vendorCodeIdOffset: 61 },
    init: [{ kind: 'feature', bytes: [0xfe, 0x01], note: 'feature report 0xFE=1: enable scanned-data input reports' }],
    indicate: { good: [HONEYWELL_BEEP], bad: [HONEYWELL_BEEP, HONEYWELL_BEEP] },
    quirks: [
      'byte 61 carries the Honeywell Code ID (e.g. 0x73 QR), byte 62 is zero',
      'replies to host menu commands arrive as scanned data with AIM ]X0 / ]Z6: not scans',
    ],
  },
  {
    vendorId: 0x05e0,
    vendor: 'Zebra (Symbol/Motorola)',
    layout: STANDARD_POS_LAYOUT,
    init: [],
    indicate: {},
    quirks: [
      'AIM id bytes are zero unless "Transmit Code ID Character = AIM" is programmed',
      'HID POS is offered as the "IBM Hand-held USB"/"HID POS" host variant; SNAPI uses a vendor page instead',
    ],
  },
  {
    vendorId: 0x1eab,
    vendor: 'Newland',
    layout: STANDARD_POS_LAYOUT,
    init: [],
    indicate: {},
    quirks: ['HID-POS must be enabled with a setup code; AIM id prefix is a separate setting'],
  },
  {
    vendorId: 0x05f9,
    vendor: 'Datalogic',
    layout: STANDARD_POS_LAYOUT,
    init: [],
    indicate: {},
    quirks: ['"USB HID POS" interface type; older firmware leaves bytes 2-4 zero'],
  },
];

/** Non-Honeywell replies that are answers to host commands, never scans. */
export const HOST_REPLY_AIM_IDS: readonly string[] = [']Z6'];

/** The profile for a vendor id; unknown vendors get the standard layout and no commands. */
export function posProfileFor(vendorId: number): PosVendorProfile {
  return (
    POS_VENDOR_PROFILES.find((p) => p.vendorId === vendorId) ?? {
      vendorId,
      vendor: 'unknown',
      layout: STANDARD_POS_LAYOUT,
      init: [],
      indicate: {},
      quirks: [],
    }
  );
}
