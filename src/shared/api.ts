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
export const API_VERSION = 1;

/** Bounds on what callers may send. Characters are UTF-16 code units. */
export const API_LIMITS = {
  /** Largest scan text (QR version 40 alphanumeric, docs/FORMATS.md). */
  scanText: 4296,
  reason: 200,
  actor: 64,
  id: 64,
  pin: { min: 4, max: 12 },
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

export type ScanResult = { ok: true; outcome: ScreenOutcome } | { ok: false; error: string };

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
  /** Duplicate scans seen by this process since the shift started (not recorded, docs/POLICY.md). */
  duplicates: number;
}

export type OnlineState = 'online' | 'offline' | 'unknown';

export interface DeliveryStatus {
  state: OnlineState;
  queueDepth: number;
  oldestPendingAt?: string;
  /** True when check-ins have waited too long to be forwarded (docs/OPERATIONS.md alarm, default 48 h). */
  pendingAlarm: boolean;
  rejected: number;
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
  /** True when no technician PIN exists yet: the UI opens the technician setup. */
  needsSetup: boolean;
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
  /** Set while the technician screen is locked out after repeated wrong PINs. */
  lockedUntil?: string;
}

export type UnlockResult =
  | { ok: true; session: string; expiresAt: string }
  | { ok: false; reason: 'wrong-pin'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; lockedUntil: string }
  | { ok: false; reason: 'no-pin' };

export interface LogLine {
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  ns: string;
  msg: string;
}

export interface RejectedRecord {
  id: string;
  scannedAt: string;
  reason: string;
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
}

export interface TechConfigPatch {
  checkpointId?: string;
  checkpointName?: string;
  direction?: Direction;
  serverUrl?: string;
  /** One-time enrollment code; handed to the enrollment hook, never stored. */
  enrollCode?: string;
  /** Use the next provisioning card scanned within 10 minutes although the kiosk is enrolled. */
  reprovision?: true;
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

export interface OverrideRequest {
  id: string;
  verdict: VerdictKind;
  reason: string;
  /** Officer identifier (badge number or role), not a name. */
  by: string;
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
  text: string;
  /** Which scan path produced it; only renderer-side sources are allowed. */
  source: 'wedge' | 'manual';
}

/** The methods. Each returns a Promise; arguments are positional and JSON-serialisable. */
export interface KioskApiMethods {
  getStatus(): Promise<KioskStatus>;
  submitScan(scan: WedgeScan): Promise<ScanResult>;
  recentScans(limit: number): Promise<RecentScan[]>;
  scanDetails(id: string): Promise<ScanDetails | null>;
  setDirection(direction: Direction): Promise<KioskStatus>;
  overrideCheckIn(request: OverrideRequest): Promise<RecentScan>;
  manualEntry(entry: ManualEntry): Promise<ScanResult>;
  shiftCounts(): Promise<ShiftCounts>;
  startShift(): Promise<ShiftCounts>;
  techState(): Promise<TechState>;
  techUnlock(pin: string): Promise<UnlockResult>;
  /** Sets the PIN: allowed without a session only while no PIN exists (first setup). */
  techSetPin(session: string | null, pin: string): Promise<TechState>;
  techLock(session: string): Promise<void>;
  techInfo(session: string): Promise<TechInfo>;
  techConfigure(session: string, patch: TechConfigPatch): Promise<TechInfo>;
  /** Verifies a scan without recording it. */
  techTestScan(session: string, text: string): Promise<TestScanResult>;
  techExport(session: string, what: 'checkins' | 'logs'): Promise<ExportResult>;
  /** Waits up to timeoutMs for the next scan from any scanner and reports it without recording it. */
  techSelfTest(session: string, timeoutMs: number): Promise<SelfTestView>;
}

export type ApiMethodName = keyof KioskApiMethods;

export interface KioskApiEvents {
  outcome: ScreenOutcome;
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
  'recentScans',
  'scanDetails',
  'setDirection',
  'overrideCheckIn',
  'manualEntry',
  'shiftCounts',
  'startShift',
  'techState',
  'techUnlock',
  'techSetPin',
  'techLock',
  'techInfo',
  'techConfigure',
  'techTestScan',
  'techExport',
  'techSelfTest',
] as const satisfies readonly ApiMethodName[];

export const API_EVENTS = ['outcome', 'status', 'fault', 'preview'] as const satisfies readonly ApiEventName[];

// Compile-time check that API_METHODS lists every method.
type Missing = Exclude<ApiMethodName, (typeof API_METHODS)[number]>;
const _allMethodsListed: Missing extends never ? true : Missing = true;
void _allMethodsListed;

export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

// ---- argument validation: returns a specific problem, or undefined when the call is valid ----

type Check = (value: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(max: number, pattern?: RegExp, what = 'text'): Check {
  return (v) => {
    if (typeof v !== 'string') return `must be a string`;
    if (v.length > max) return `must be at most ${max} characters`;
    if (pattern && !pattern.test(v)) return `is not a valid ${what}`;
    return undefined;
  };
}

const nonEmpty = (max: number): Check => (v) => (typeof v === 'string' && v.trim() === '' ? 'must not be empty' : str(max)(v));
const oneOf = (values: readonly string[]): Check => (v) => (typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}`);
const intIn = (min: number, max: number): Check => (v) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `must be an integer from ${min} to ${max}`;

const ID = /^[\w.:-]{1,64}$/;
const SESSION = /^[0-9a-f]{64}$/;
const PIN = new RegExp(`^\\d{${API_LIMITS.pin.min},${API_LIMITS.pin.max}}$`);
const session = str(64, SESSION, 'session');
const verdicts = ['accept', 'reject', 'refer'] as const;
const directions = ['in', 'out'] as const;

function shape(fields: Record<string, { check: Check; optional?: boolean }>): Check {
  return (v) => {
    if (!isObject(v)) return 'must be an object';
    for (const key of Object.keys(v)) if (!(key in fields)) return `has an unknown field "${key.slice(0, 32)}"`;
    for (const [key, { check, optional }] of Object.entries(fields)) {
      if (v[key] === undefined) {
        if (optional) continue;
        return `is missing "${key}"`;
      }
      const problem = check(v[key]);
      if (problem) return `field "${key}" ${problem}`;
    }
    return undefined;
  };
}

const ARGS: { [M in ApiMethodName]: Check[] } = {
  getStatus: [],
  submitScan: [shape({ text: { check: str(API_LIMITS.scanText) }, source: { check: oneOf(['wedge', 'manual']) } })],
  recentScans: [intIn(1, API_LIMITS.recent)],
  scanDetails: [str(64, ID, 'check-in id')],
  setDirection: [oneOf(directions)],
  overrideCheckIn: [
    shape({
      id: { check: str(64, ID, 'check-in id') },
      verdict: { check: oneOf(verdicts) },
      reason: { check: nonEmpty(API_LIMITS.reason) },
      by: { check: nonEmpty(API_LIMITS.actor) },
    }),
  ],
  manualEntry: [
    shape({
      idNo: { check: str(12, /^\d{12}$/, '12-digit ID number') },
      name: { check: nonEmpty(100) },
      dob: { check: str(10, /^\d{4}-\d{2}-\d{2}$/, 'date (YYYY-MM-DD)') },
      sex: { check: oneOf(['M', 'F']) },
    }),
  ],
  shiftCounts: [],
  startShift: [],
  techState: [],
  techUnlock: [str(API_LIMITS.pin.max, PIN, 'PIN (digits)')],
  techSetPin: [(v) => (v === null ? undefined : session(v)), str(API_LIMITS.pin.max, PIN, `PIN (${API_LIMITS.pin.min}-${API_LIMITS.pin.max} digits)`)],
  techLock: [session],
  techInfo: [session],
  techConfigure: [
    session,
    shape({
      checkpointId: { check: str(64, ID, 'checkpoint id (letters, digits, . _ : -)'), optional: true },
      checkpointName: { check: str(100), optional: true },
      direction: { check: oneOf(directions), optional: true },
      serverUrl: { check: str(API_LIMITS.setting, /^https?:\/\/[^\s]+$/, 'http(s) URL'), optional: true },
      enrollCode: { check: str(128, /^[\w-]{1,128}$/, 'enrollment code'), optional: true },
      reprovision: { check: (v) => (v === true ? undefined : 'must be true'), optional: true },
    }),
  ],
  techTestScan: [session, str(API_LIMITS.scanText)],
  techExport: [session, oneOf(['checkins', 'logs'])],
  techSelfTest: [session, intIn(1000, 600_000)],
};

/**
 * Checks a call that arrived over a transport. Returns a specific problem, e.g.
 * `overrideCheckIn: argument 1 field "reason" must not be empty`, or undefined when valid.
 */
export function validateCall(method: unknown, args: unknown): string | undefined {
  if (!isApiMethod(method)) return `unknown method "${String(method).slice(0, 40)}"`;
  if (!Array.isArray(args)) return `${method}: arguments must be an array`;
  const checks = ARGS[method];
  if (args.length !== checks.length) return `${method}: expected ${checks.length} argument(s), got ${args.length}`;
  for (let i = 0; i < checks.length; i++) {
    const problem = checks[i]!(args[i]);
    if (problem) return `${method}: argument ${i + 1} ${problem}`;
  }
  return undefined;
}
