/**
 * Types shared by every layer (docs/POLICY.md). No Node, DOM or Electron imports here: the renderer,
 * the drivers and the server all use these.
 */
import type { ReasonCode } from './reasons.js';

export type VerdictKind = 'accept' | 'reject' | 'refer';
export type Direction = 'in' | 'out';

/** Identifiers of the credential formats. New formats extend this union. */
export type FormatId = 'cccd' | 'vnqr' | 'dcc' | 'shc' | 'ckd1' | 'unknown';

/** Where a scan came from. `wedge` = keyboard-wedge scanner typing into the window. */
export type ScanSourceKind = 'serial' | 'hid' | 'hid-pos' | 'wedge' | 'stdin' | 'sim' | 'camera' | 'manual';

/**
 * Something a driver read. Drivers never throw on bad input: a line that was too long or not
 * decodable is still delivered, with `fault` set, so it ends in a reject with a reason.
 */
export interface ScanEvent {
  source: ScanSourceKind;
  deviceId: string;
  /** Decoded text, terminator stripped. Empty when `fault` says why nothing usable arrived. */
  text: string;
  /** The raw bytes when the driver had them (not kept after verification). */
  bytes?: Uint8Array;
  /** Symbology when the scanner reported one (AIM id mapped, e.g. 'qr', 'code128'). */
  symbology?: string;
  /** Milliseconds since the epoch, from the injected clock, when the last byte arrived. */
  receivedAt: number;
  fault?: 'too-large' | 'unreadable';
  /**
   * With `fault`: the kiosk refused the scan itself, and says why in `detail` (shown as the
   * message) under `format` — the chunks of a multi-QR SMART Health Card whose other chunks did
   * not arrive (docs/FORMATS.md).
   */
  refusal?: { format: FormatId; detail: string };
  /**
   * Set when `text` is a multi-QR SMART Health Card the kiosk assembled from its chunks
   * (`shc:/C/N/…`, docs/FORMATS.md): N, how many QR codes it was read from. Its text may be N times
   * as long as one QR code holds.
   */
  assembledFrom?: number;
  /** source 'manual': the signed-in officer who typed it in (becomes CheckIn.manual.by). */
  enteredBy?: string;
}

/** Identity fields kept for tracing (docs/OPERATIONS.md: the minimum). All optional: formats differ. */
export interface Subject {
  idType?: 'cccd' | 'cmnd' | 'passport' | 'qid' | 'other';
  idNo?: string;
  /** Secondary identifier, e.g. the QID of a unified QR or the old CMND number. */
  altId?: string;
  name?: string;
  /** ISO date, possibly partial ('1990', '1990-05') when the credential masks it. */
  dob?: string;
  sex?: 'M' | 'F';
}

export interface DisplayLine {
  label: string;
  value: string;
}

/** What the screens show for a verdict. Never contains the raw payload. */
export interface VerdictDisplay {
  /** Name masked for the public screen (N***N V** A). */
  maskedName?: string;
  /** Short description of the credential, e.g. 'EU DCC – vaccination 2/2'. */
  title?: string;
  details: DisplayLine[];
  /** Human-readable texts that explain the reasons (e.g. a business rule's description). */
  messages: string[];
}

export interface Verdict {
  verdict: VerdictKind;
  reasons: ReasonCode[];
  display: VerdictDisplay;
}

/**
 * An officer's change of a recorded check-in's verdict. Travels to the central server as its own
 * record (POST /api/v1/overrides), idempotent by `id`.
 */
export interface Override {
  /** UUIDv7 of the override record (absent on overrides made before overrides travelled). */
  id?: string;
  /** Officer or technician id (badge number or role), never a name. */
  by: string;
  /** The officer's own words. */
  reason: string;
  verdict: VerdictKind;
  /** Reason codes that go with the new verdict (default: the check-in's own reasons). */
  reasons?: ReasonCode[];
  /** ISO time of the override. */
  at: string;
}

/**
 * An override as it travels to the central server (POST /api/v1/overrides), idempotent by `id`.
 * `at` is ISO; `by` an officer or technician id string.
 */
export interface OverrideRecord {
  id: string;
  checkinId: string;
  verdict: VerdictKind;
  reasons: ReasonCode[];
  by: string;
  reason: string;
  at: string;
}

/** A check-in record (docs/POLICY.md). `scannedAt` is a UTC ISO string. */
export interface CheckIn {
  id: string;
  deviceId: string;
  checkpointId: string;
  direction: Direction;
  scannedAt: string;
  format: FormatId;
  verdict: VerdictKind;
  reasons: ReasonCode[];
  subject: Subject;
  override?: Override;
  /**
   * A manual entry (protocol v1 optional member): an officer typed the ID card in at the booth
   * (`manualEntry`); `by` is that signed-in officer's id, never a name. Absent on scanned check-ins.
   */
  manual?: { by: string };
  /**
   * Central server only, never sent by a kiosk: the enrolled device whose token delivered the
   * record, set when it differs from `deviceId` — a record made before the kiosk's enrollment or
   * re-enrollment (it keeps the id it had then), or a device naming another's id.
   */
  senderDeviceId?: string;
}

/** The JSON line printed by `run` for each committed check-in (README.md, contract). */
export interface CheckInEvent {
  event: 'checkin';
  id: string;
  format: FormatId;
  verdict: VerdictKind;
  reasons: ReasonCode[];
  scannedAt: string;
  /**
   * Why the kiosk refused the scan itself, before any credential was read — the chunks of a
   * multi-QR SMART Health Card that did not become a card (naming the missing ones), a line longer
   * than a QR code, bytes that are not text. Fixed words and numbers, never personal data; absent
   * for every other check-in (a verifier's explanations may quote the credential and stay on the
   * screen). Also in `export` (StoredCheckIn.message).
   */
  message?: string;
}

/**
 * A re-read of the same credential within the duplicate window with the same verdict: nothing new
 * is recorded. `verdict` and `reasons` are those committed with check-in `of` (its override's
 * verdict when an officer changed it).
 */
export interface DuplicateEvent {
  event: 'duplicate';
  of: string;
  verdict: VerdictKind;
  reasons: ReasonCode[];
}

/** Scanner health as shown to technicians and sent in heartbeats. */
export interface ScannerStatus {
  deviceId: string;
  uri: string;
  state: 'connecting' | 'connected' | 'disconnected' | 'closed';
  lastReadAt?: string;
  /** The last problem in plain words, with the fix when there is one (cleared when connected). */
  lastError?: string;
  /** The original error's errno name (EAGAIN, ENOENT, EACCES …), for logs; when the driver knows it. */
  lastErrorCode?: string;
  reads: number;
  errors: number;
  /** Frame figures of a camera scanner (absent for other kinds). */
  camera?: CameraHealth;
  /**
   * A fault of a scanner that is still connected: 'line-noise' while it sends a burst of data no
   * scanner sends (wrong baud rate, bad cable); lastError then says what to check. Absent otherwise.
   */
  fault?: 'line-noise';
  /** The line-noise burst in progress, or the last one once it ended; absent before the first. */
  lineNoise?: LineNoiseStatus;
}

/**
 * A burst of line noise from a byte-stream scanner (serial): more than 3 frames that are no scan
 * (invalid UTF-8, control characters) within 1 s; further ones are dropped, not recorded, until
 * the scanner has been quiet for 2 s (docs/SCANNERS.md).
 */
export interface LineNoiseStatus {
  /** true while the burst lasts, false once it ended. */
  active: boolean;
  /** Noise frames not handed on as scans in this burst (the first few were, as `unreadable`). */
  dropped: number;
  /** ISO time of the first dropped frame. */
  startedAt: string;
  /** ISO time the burst ended (absent while active). */
  endedAt?: string;
}

/**
 * A camera scanner's frame figures over its last few seconds: frames decoded per second, frames
 * dropped per second (skipped because the decoder was busy: by design, never queued), and the
 * decode time per frame in milliseconds (worker round trip included), median and 99th percentile.
 */
export interface CameraHealth {
  framesPerSecond: number;
  droppedPerSecond: number;
  decodeMsP50: number;
  decodeMsP99: number;
  /** Totals since the driver was created. */
  frames: number;
  dropped: number;
}

/** What the aiming hint says: no code seen, seen but unreadable (motion blur), too small, read. */
export type AimHint = 'aim' | 'hold-still' | 'closer' | 'read';

/**
 * A low-rate, downscaled grey picture of what a camera scanner sees, for the aiming help on the
 * local screen only: never stored, logged or sent to the central server. `pixels` is base64 of
 * width×height 8-bit grey values, row by row; `roi` and `codes` are fractions (0..1) of the frame.
 */
export interface CameraPreview {
  deviceId: string;
  width: number;
  height: number;
  pixels: string;
  roi: { x: number; y: number; w: number; h: number };
  /** Outlines of codes found in the frame (corner points, fractions of the frame). */
  codes: Array<{ points: Array<{ x: number; y: number }>; read: boolean }>;
  hint: AimHint;
  /** ISO time the frame was decoded. */
  at: string;
}

/** One scanner's health as the device manager keeps it (technician screen, heartbeat). */
export interface DeviceHealth {
  deviceId: string;
  uri: string;
  /** configured: named by --scanner; auto: found by discovery (closed again when it stays gone). */
  origin: 'configured' | 'auto';
  state: ScannerStatus['state'];
  lastReadAt?: string;
  lastError?: string;
  /** ISO time of the last error or disconnection seen by the manager. */
  lastErrorAt?: string;
  /** Totals since the driver was created (the driver's own counters). */
  reads: number;
  errors: number;
  /** Over the sliding health window (default the last 60 s), per minute, one decimal. */
  readsPerMinute: number;
  /** Device errors, unusable reads and disconnections over the window, per minute. */
  errorsPerMinute: number;
  /** Frame figures of a camera scanner (absent for other kinds). */
  camera?: CameraHealth;
  /** See ScannerStatus.fault: 'line-noise' while the scanner sends a burst of unreadable data. */
  fault?: 'line-noise';
  /** See ScannerStatus.lineNoise. */
  lineNoise?: LineNoiseStatus;
}

/** What the scanner self-test saw: the next scan from any scanner, never its payload (docs/OPERATIONS.md). */
export type SelfTestResult =
  | {
      ok: true;
      deviceId: string;
      source: ScanSourceKind;
      /** Mapped AIM symbology when the scanner reported one (HID POS), else undefined. */
      symbology?: string;
      /** Unicode code points in the decoded text. */
      chars: number;
      /** Raw bytes when the driver had them, else the UTF-8 length of the text. */
      bytes: number;
      /** Milliseconds from startSelfTest() to the scan's last byte (clock of the manager). */
      durationMs: number;
      /** Shape of the first characters (see previewShape): never the payload itself. */
      preview: string;
      /** Set when the scanner delivered a read that could not be used (too long, undecodable). */
      fault?: 'too-large' | 'unreadable';
    }
  | {
      ok: false;
      /** timeout: nothing was scanned in time; cancelled: cancelSelfTest(); closed: manager closed. */
      reason: 'timeout' | 'cancelled' | 'closed';
      durationMs: number;
    };
