/** Kiosk ↔ central server (docs/PROTOCOL.md): forwarder, enrollment, trust-bundle sync, heartbeat. */
export { startForwarder } from './forwarder.js';
export type { Forwarder, ForwarderOptions, ForwarderState, ForwarderStatus } from './forwarder.js';
export { enroll, readEnrollment, EnrollmentError, ENROLLMENT_FILE } from './enrollment.js';
export type { Enrollment, DeviceDescription } from './enrollment.js';
export { startTrustSync, loadStoredTrustBundle, readStoredTrustBundle, TRUST_BUNDLE_FILE, TRUST_META_FILE } from './trust-sync.js';
export type { TrustSync, TrustSyncOptions, TrustSyncState, StoredBundle } from './trust-sync.js';
export { startHeartbeat } from './heartbeat.js';
export type { Heartbeat, HeartbeatBody, HeartbeatOptions, HeartbeatState } from './heartbeat.js';
export { DEFAULT_BACKOFF, fullJitterDelay, parseRetryAfter } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { writeFileAtomic } from './atomic-file.js';
export { drainBacklog } from './drain.js';
export type { DrainResult } from './drain.js';
