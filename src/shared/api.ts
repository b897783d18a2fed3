/**
 * The kiosk UI API, declared once (README.md): what the renderer may ask of the kiosk service
 * and the events it receives. Implemented in src/app/api.ts; served to the renderer by the
 * Electron preload (method by method over IPC) and by web mode (over a WebSocket). No Node, DOM
 * or Electron imports: the renderer, the preload and both servers import this file.
 *
 * Every argument crossing a process or network boundary is checked with `validateCall` before
 * the implementation sees it; every size is bounded here.
 */
import type { ReasonCode } from './reasons.js';
import type { CameraPreview, DeviceHealth, SelfTestResult, Direction, FormatId, Override, ScannerStatus, ScanSourceKind, VerdictDisplay, VerdictKind } from './types.js';

/** Bumped when a method changes incompatibly; the renderer shows a reload notice on mismatch. */
export const API_VERSION = 2;

/**
 * What a kiosk is for. `venue`: an unattended entrance, the public sees attract and result only.
 * `booth`: a checkpoint booth, officer screens after an officer signs in.
 */
export type Profile = 'venue' | 'booth';
export const PROFILES = ['venue', 'booth'] as const satisfies readonly Profile[];

/** Local time zone of the screens when none is configured (IANA name). */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Bounds on what callers may send. Characters are UTF-16 code units. */
export const API_LIMITS = {
  /** Largest scan text (QR version 40 alphanumeric, docs/FORMATS.md). */
  scanText: 4296,
  /**
   * Largest wedge text submitScan takes (bounded by the transport's message): a longer one than
   * scanText is recorded as a `too-large` check-in, not refused as a call.
   */
  wedgeText: 60 * 1024,
  reason: 200,
  actor: 64,
  id: 64,
  /** Digits of a PIN typed to unlock (4 allowed for PINs set before version 2). */
  pin: { min: 4, max: 12 },
  /** Digits of a newly set technician PIN. */
  newPin: { min: 6, max: 12 },
  recent: 200,
  logs: 500,
  setting: 256,
  /** Largest JSON message accepted by a transport, in bytes. */
  message: 64 * 1024,
} as const;

/** One processed scan, as the screens show it. Sent only after the check-in is committed. */
export interface ScreenOutcome {
  /** The check-in id, or for a duplicate the id of the earlier check-in. */
  id: string;
  kind: 'checkin' | 'duplicate';
  verdict: VerdictKind;
  reasons: ReasonCode[];
  format: FormatId;
  display: VerdictDisplay;
  scannedAt: string;
  source: ScanSourceKind;
  direction: Direction;
}

/**
 * A chunk of a multi-QR SMART Health Card was read (`shc:/C/N/…`): the card is held until all N
 * chunks are scanned on that scanner, and nothing is recorded yet. The screen asks for the next
 * code ("Code 1 of 3 read — scan the next one").
 */
export interface ChunkPrompt {
  /** The chunk just read, C. */
  index: number;
  /** N, the card's number of QR codes. */
  total: number;
  /** Chunk numbers still to scan, ascending. */
  missing: number[];
}

/** Not ok with `chunk`: the scan was a chunk of a multi-QR card, held (not an error: nothing to record yet). */
export type ScanResult = { ok: true; outcome: ScreenOutcome } | { ok: false; error: string; chunk?: ChunkPrompt };

/** A row of the booth's recent-scans list. No full name or ID number: masked only. */
export interface RecentScan {
  id: string;
  scannedAt: string;
  format: FormatId;
  verdict: VerdictKind;
  reasons: ReasonCode[];
  direction: Direction;
  maskedName?: string;
  override?: Override;
  delivery: 'pending' | 'forwarded' | 'rejected';
}

/** The booth officer's view of one check-in: the identity fields it recorded. */
export interface ScanDetails extends RecentScan {
  deviceId: string;
  checkpointId: string;
  subject: { idType?: string; idNo?: string; altId?: string; name?: string; dob?: string; sex?: 'M' | 'F' };
  rejectReason?: string;
}

export interface ShiftCounts {
  /** When the shift started (ISO). */
  since: string;
  total: number;
  accept: number;
  refer: number;
  reject: number;
  /** Check-ins whose verdict an officer overrode. */
  overridden: number;
  in: number;
  out: number;
  /** Duplicate scans since the shift started (not recorded as check-ins, docs/POLICY.md); kept across restarts. */
  duplicates: number;
}

export type OnlineState = 'online' | 'offline' | 'unknown';

export interface DeliveryStatus {
  state: OnlineState;
  queueDepth: number;
  oldestPendingAt?: string;
  /** True when check-ins have waited too long to be forwarded (docs/OPERATIONS.md alarm, default 48 h). */
  pendingAlarm: boolean;
  /** Records the server refused, kept and marked: check-ins plus overrides (overridesRejected of them). */
  rejected: number;
  /** Of `rejected`, officer overrides the server refused (its export still shows the verdict before them). */
  overridesRejected?: number;
  lastSyncAt?: string;
  serverUrl?: string;
  /** Short, PII-free text of the last delivery problem. */
  lastError?: string;
}

/** What every screen needs: pushed as the `status` event and returned by getStatus(). */
export interface KioskStatus {
  apiVersion: number;
  deviceId: string;
  checkpointId: string;
  checkpointName?: string;
  direction: Direction;
  scanners: ScannerStatus[];
  delivery: DeliveryStatus;
  trustIssuedAt: string;
  /** True when no technician PIN exists yet: the technician gesture leads to the setup form. */
  needsSetup: boolean;
  profile: Profile;
  /** IANA time zone the screens show times in (default Asia/Ho_Chi_Minh). */
  timeZone: string;
  /** What the last provisioning card (CKP1) did; shown on the technician screen. Never the code. */
  provisioning?: ProvisioningNoticeView;
  /** Screen settings from the central configuration profile, when it sets them. */
  display?: { resultTimeoutSeconds?: number; language?: 'vi' | 'en' };
}

/** Outcome of a scanned provisioning card (no card text, no code). */
export interface ProvisioningNoticeView {
  state: 'working' | 'provisioned' | 'refused' | 'ignored';
  message: string;
  at: string;
  reason?: string;
}

export interface TechState {
  pinSet: boolean;
  /** Set while wrong PINs or codes make the keypad wait: the next attempt is checked from then on. */
  retryAt?: string;
}

/**
 * The answer to a technician unlock, first-start setup or officer sign-in. Wrong secrets make the
 * next attempt wait (growing per failure, capped at 30 s by default), never lock anyone out.
 */
export type SignInResult =
  | { ok: true; session: string; expiresAt: string; /** Idle time that ends the session, ms. */ idleMs: number; /** Officer id or "technician". */ actor: string }
  | { ok: false; reason: 'wrong-pin'; /** When the next attempt will be checked (absent: at once). */ retryAt?: string }
  | { ok: false; reason: 'wait'; retryAt: string }
  | { ok: false; reason: 'no-pin' };

export type UnlockResult = SignInResult;

export interface LogLine {
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  ns: string;
  msg: string;
}

export interface RejectedRecord {
  /** The check-in's id, or the override record's id when kind is 'override'. */
  id: string;
  /** The check-in's scan time (for an override: when the officer made it). */
  scannedAt: string;
  /** The server's reason. */
  reason: string;
  /** What was refused; absent means a check-in. */
  kind?: 'checkin' | 'override';
  /** kind 'override': the check-in it overrides, the verdict it set and the officer who set it. */
  checkinId?: string;
  verdict?: VerdictKind;
  by?: string;
}

export interface TechInfo {
  status: KioskStatus;
  serverUrl?: string;
  enrolled: boolean;
  policyName: string;
  duplicateWindowMinutes: number;
  /** Age of the trust bundle in hours, from its issuedAt; null when none was loaded. */
  trustAgeHours: number | null;
  /** Kiosk clock minus the central server's clock (ms), learned from server answers; null until measured. */
  clockOffsetMs: number | null;
  /** The policy's clock tolerance (seconds): an offset beyond it is flagged. */
  clockSkewSeconds: number;
  rejectedRecords: RejectedRecord[];
  /** Per-scanner health (reads and errors per minute); empty without a device manager. */
  devices: DeviceHealth[];
  logs: LogLine[];
  audit: { at: string; actor: string; action: string; detail?: Record<string, unknown> }[];
  profile: Profile;
  timeZone: string;
  officerIdleMinutes: number;
  /** Officers who may sign in at the booth (ids and when their code was issued; never the code). */
  officers: { id: string; issuedAt: string }[];
  /** True in web mode: the kiosk URL's token can be rotated from here. */
  webTokenRotatable: boolean;
}

export interface TechConfigPatch {
  checkpointId?: string;
  checkpointName?: string;
  direction?: Direction;
  serverUrl?: string;
  /** One-time enrollment code; handed to the enrollment hook, never stored. */
  enrollCode?: string;
  profile?: Profile;
  /** IANA time zone name, e.g. Asia/Ho_Chi_Minh. */
  timeZone?: string;
  /** Officer idle time before automatic sign-out, minutes (1-240). */
  officerIdleMinutes?: number;
  /**
   * Use the next provisioning card scanned within 10 minutes although the kiosk is enrolled, and
   * only while this technician session stays open (locking the panel or its expiry cancels it).
   */
  reprovision?: true;
}

export interface OfficerCode {
  officerId: string;
  /** The sign-in code in clear: shown once to the technician, only its hash is kept. */
  code: string;
}

/** A self-test result, or 'unavailable' when the kiosk has no device manager (no scanners). */
export type SelfTestView = SelfTestResult | { ok: false; reason: 'unavailable'; durationMs: number };

export interface TestScanResult {
  format: FormatId;
  verdict: VerdictKind;
  reasons: ReasonCode[];
  length: number;
}

export interface ExportResult {
  path: string;
  count: number;
}

/** An officer's override; who made it is the signed-in officer of the session, never typed. */
export interface OverrideRequest {
  id: string;
  verdict: VerdictKind;
  reason: string;
}

export interface ManualEntry {
  /** 12-digit CCCD number. */
  idNo: string;
  name: string;
  /** ISO date YYYY-MM-DD. */
  dob: string;
  sex: 'M' | 'F';
}

export interface WedgeScan {
  /**
   * What the scanner typed. A text longer than a QR code holds (API_LIMITS.scanText) is recorded as
   * a rejected `too-large` check-in, as every scanner driver does; an empty one records nothing.
   */
  text: string;
  /** Keyboard-wedge scans typed into the window are the only scans a screen may submit. */
  source: 'wedge';
  /**
   * The window's wedge detector dropped the keys of a burst longer than its limit (text then
   * empty): recorded as a rejected `too-large` check-in.
   */
  fault?: 'too-large';
}

/**
 * The methods. Each returns a Promise; arguments are positional and JSON-serialisable. Booth
 * methods take an officer session, tech* methods a technician session (see API_ROLES); the
 * service refuses them without one, whatever transport carried the call.
 */
export interface KioskApiMethods {
  getStatus(): Promise<KioskStatus>;
  submitScan(scan: WedgeScan): Promise<ScanResult>;
  /** Booth profile only. */
  officerSignIn(officerId: string, code: string): Promise<SignInResult>;
  officerSignOut(session: string): Promise<void>;
  recentScans(session: string, limit: number): Promise<RecentScan[]>;
  scanDetails(session: string, id: string): Promise<ScanDetails | null>;
  setDirection(session: string, direction: Direction): Promise<KioskStatus>;
  overrideCheckIn(session: string, request: OverrideRequest): Promise<RecentScan>;
  manualEntry(session: string, entry: ManualEntry): Promise<ScanResult>;
  shiftCounts(session: string): Promise<ShiftCounts>;
  startShift(session: string): Promise<ShiftCounts>;
  /**
   * The screen's "Cancel" on a partly scanned multi-QR card: the held chunks become one rejected
   * check-in each (as when the 60 s wait runs out). `cancelled`: how many cards were held.
   */
  cancelChunks(): Promise<{ cancelled: number }>;
  techState(): Promise<TechState>;
  techUnlock(pin: string): Promise<UnlockResult>;
  /** First start only: sets the PIN with the setup code from the data dir (never shown on screen). */
  techSetup(setupCode: string, pin: string): Promise<UnlockResult>;
  /**
   * Changes the technician PIN; `currentPin` must be the PIN in force (checked and counted like
   * an unlock: a session left open does not let anyone change the PIN). ApiError 'refused' when wrong.
   */
  techSetPin(session: string, currentPin: string, pin: string): Promise<TechState>;
  techLock(session: string): Promise<void>;
  techInfo(session: string): Promise<TechInfo>;
  techConfigure(session: string, patch: TechConfigPatch): Promise<TechInfo>;
  /** Verifies a scan without recording it. */
  techTestScan(session: string, text: string): Promise<TestScanResult>;
  techExport(session: string, what: 'checkins' | 'logs'): Promise<ExportResult>;
  /** Waits up to timeoutMs for the next scan from any scanner and reports it without recording it. */
  techSelfTest(session: string, timeoutMs: number): Promise<SelfTestView>;
  /** Issues (or re-issues) an officer's sign-in code. */
  techIssueOfficerCode(session: string, officerId: string): Promise<OfficerCode>;
  techRevokeOfficer(session: string, officerId: string): Promise<TechInfo>;
  /** Web mode: a new URL token; every page on the old URL is disconnected. Returns the new URL. */
  techRotateWebToken(session: string): Promise<{ url: string }>;
}

export type ApiMethodName = keyof KioskApiMethods;

export interface KioskApiEvents {
  outcome: ScreenOutcome;
  /** A chunk of a multi-QR card was read and is held: ask for the next code (ChunkPrompt). */
  chunk: ChunkPrompt;
  status: KioskStatus;
  /** A scan could not be recorded: the screen must not show it as checked in. */
  fault: { message: string };
  /**
   * A camera scanner's aiming preview (at most 2 per second, ≤ 160 px wide): for the local
   * screen only, never stored or forwarded. Sent only while a screen listens.
   */
  preview: CameraPreview;
}

export type ApiEventName = keyof KioskApiEvents;

/** The API as the renderer holds it: the methods plus event subscription. */
export interface KioskApi extends KioskApiMethods {
  /** Subscribes; returns the unsubscribe function. */
  on<E extends ApiEventName>(event: E, listener: (payload: KioskApiEvents[E]) => void): () => void;
}

/** Method names, in a fixed order (the preload exposes exactly these). */
export const API_METHODS = [
  'getStatus',
  'submitScan',
  'officerSignIn',
  'officerSignOut',
  'recentScans',
  'scanDetails',
  'setDirection',
  'overrideCheckIn',
  'manualEntry',
  'shiftCounts',
  'startShift',
  'cancelChunks',
  'techState',
  'techUnlock',
  'techSetup',
  'techSetPin',
  'techLock',
  'techInfo',
  'techConfigure',
  'techTestScan',
  'techExport',
  'techSelfTest',
  'techIssueOfficerCode',
  'techRevokeOfficer',
  'techRotateWebToken',
] as const satisfies readonly ApiMethodName[];

/**
 * Who may call each method: `public` needs nothing, `officer` an officer session (booth profile),
 * `technician` a technician session. The service enforces it; this table documents it and drives
 * the tests that call every non-public method without a session over each transport.
 */
export const API_ROLES: Record<ApiMethodName, 'public' | 'officer' | 'technician'> = {
  getStatus: 'public',
  submitScan: 'public',
  officerSignIn: 'public',
  // Ending a session is harmless: it needs no valid one (and says nothing about whether it was).
  officerSignOut: 'public',
  recentScans: 'officer',
  scanDetails: 'officer',
  setDirection: 'officer',
  overrideCheckIn: 'officer',
  manualEntry: 'officer',
  shiftCounts: 'officer',
  startShift: 'officer',
  // Anyone at the screen may end a partly scanned card (scanning another code ends it too).
  cancelChunks: 'public',
  techState: 'public',
  techUnlock: 'public',
  techSetup: 'public',
  techSetPin: 'technician',
  techLock: 'public',
  techInfo: 'technician',
  techConfigure: 'technician',
  techTestScan: 'technician',
  techExport: 'technician',
  techSelfTest: 'technician',
  techIssueOfficerCode: 'technician',
  techRevokeOfficer: 'technician',
  techRotateWebToken: 'technician',
};

export const API_EVENTS = ['outcome', 'chunk', 'status', 'fault', 'preview'] as const satisfies readonly ApiEventName[];

// Compile-time check that API_METHODS lists every method.
type Missing = Exclude<ApiMethodName, (typeof API_METHODS)[number]>;
const _allMethodsListed: Missing extends never ? true : Missing = true;
void _allMethodsListed;

export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

// Argument validation (validateCall) is in api-validation.ts, which imports this file.
