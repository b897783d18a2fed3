/**
 * Argument checks for the kiosk UI API (src/shared/api.ts): every call that crossed a process or
 * network boundary is checked here before the service sees it, every size bounded. No Node, DOM or
 * Electron imports.
 */
import { API_LIMITS, API_ROLES, PROFILES, isApiMethod, type ApiMethodName } from './api.js';
import { hasUserInfo } from './server-url.js';

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
const NEW_PIN = new RegExp(`^\\d{${API_LIMITS.newPin.min},${API_LIMITS.newPin.max}}$`);
const OFFICER = /^[\w.:-]{1,32}$/;
const newPin = str(API_LIMITS.newPin.max, NEW_PIN, `PIN (${API_LIMITS.newPin.min}-${API_LIMITS.newPin.max} digits)`);
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
  submitScan: [shape({ text: { check: str(API_LIMITS.wedgeText) }, source: { check: oneOf(['wedge']) }, fault: { check: oneOf(['too-large']), optional: true } })],
  officerSignIn: [str(32, OFFICER, 'officer id'), str(16, /^\d{4,16}$/, 'officer code (digits)')],
  officerSignOut: [session],
  recentScans: [session, intIn(1, API_LIMITS.recent)],
  scanDetails: [session, str(64, ID, 'check-in id')],
  setDirection: [session, oneOf(directions)],
  overrideCheckIn: [
    session,
    shape({
      id: { check: str(64, ID, 'check-in id') },
      verdict: { check: oneOf(verdicts) },
      reason: { check: nonEmpty(API_LIMITS.reason) },
    }),
  ],
  manualEntry: [
    session,
    shape({
      idNo: { check: str(12, /^\d{12}$/, '12-digit ID number') },
      name: { check: nonEmpty(100) },
      dob: { check: str(10, /^\d{4}-\d{2}-\d{2}$/, 'date (YYYY-MM-DD)') },
      sex: { check: oneOf(['M', 'F']) },
    }),
  ],
  shiftCounts: [session],
  startShift: [session],
  cancelChunks: [],
  techState: [],
  techUnlock: [str(API_LIMITS.pin.max, PIN, 'PIN (digits)')],
  techSetup: [str(8, /^\d{8}$/, 'setup code (8 digits)'), newPin],
  techSetPin: [session, str(API_LIMITS.pin.max, PIN, 'current PIN (digits)'), newPin],
  techLock: [session],
  techInfo: [session],
  techConfigure: [
    session,
    shape({
      checkpointId: { check: str(64, ID, 'checkpoint id (letters, digits, . _ : -)'), optional: true },
      checkpointName: { check: str(100), optional: true },
      direction: { check: oneOf(directions), optional: true },
      serverUrl: {
        // A user name or password in the URL would enrol, then get 401 on every request (server-url.ts).
        check: (v) => str(API_LIMITS.setting, /^https?:\/\/[^\s]+$/, 'http(s) URL')(v) ?? (hasUserInfo(v as string) ? 'carries a user name or password before "@": give the server URL without them' : undefined),
        optional: true,
      },
      enrollCode: { check: str(128, /^[\w-]{1,128}$/, 'enrollment code'), optional: true },
      profile: { check: oneOf(PROFILES), optional: true },
      timeZone: { check: str(64, /^[A-Za-z_+\-/0-9]{1,64}$/, 'time zone name (e.g. Asia/Ho_Chi_Minh)'), optional: true },
      officerIdleMinutes: { check: intIn(1, 240), optional: true },
      reprovision: { check: (v) => (v === true ? undefined : 'must be true'), optional: true },
    }),
  ],
  techTestScan: [session, str(API_LIMITS.scanText)],
  techExport: [session, oneOf(['checkins', 'logs'])],
  techSelfTest: [session, intIn(1000, 600_000)],
  techIssueOfficerCode: [session, str(32, OFFICER, 'officer id (1-32 letters, digits, . _ : -)')],
  techRevokeOfficer: [session, str(32, OFFICER, 'officer id')],
  techRotateWebToken: [session],
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

/** What the kiosk service offers the transports to check a session before anything else (KioskApiService.sessionLive). */
export interface SessionCheck {
  sessionLive(token: unknown, role: 'officer' | 'technician'): boolean;
}

/**
 * For a call that needs a session (API_ROLES): 'unauthorized' when its first argument is no live
 * session of that role, checked before the arguments are validated, so a caller without a session
 * learns nothing about what the call would accept (manualEntry's field rules, say). Undefined when
 * the call may go on to validation; also when `api` cannot check sessions.
 */
export function sessionProblem(api: unknown, method: unknown, args: unknown): { error: string; code: 'unauthorized' } | undefined {
  if (!isApiMethod(method)) return undefined;
  const role = API_ROLES[method];
  if (role === 'public') return undefined;
  const check = api as Partial<SessionCheck> | null;
  if (typeof check?.sessionLive !== 'function') return undefined;
  if (check.sessionLive(Array.isArray(args) ? args[0] : undefined, role)) return undefined;
  return { error: role === 'technician' ? 'Technician session expired or missing: enter the PIN again.' : 'Officer session expired or missing: sign in again.', code: 'unauthorized' };
}
