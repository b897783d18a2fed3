/** What the route modules share: built once by startCentral. */
import type { KeyObject, JsonWebKey } from 'node:crypto';
import type { Clock, Logger } from '../src/shared/ports.js';
import type { CentralStorage } from './storage/types.js';
import type { PublishedBundle } from './trust-bundle.js';
import type { FleetThresholds } from './ops/fleet.js';
import type { OpsQueries } from './ops/queries.js';
import type { EnrollThrottleLimits } from './enroll-throttle.js';

export interface CentralContext {
  /** The only way routes reach data. */
  storage: CentralStorage;
  clock: Clock;
  logger: Logger;
  /** The admin token in force: replaced in place when `central admin-token --rotate` ran (../admin-token.ts). */
  adminToken: string;
  /**
   * Re-reads the stored admin token now (bounded: at most once a second, ../admin-token.ts); called
   * when a presented token or sign-in does not match, so a token rotated elsewhere works at once.
   */
  recheckAdminToken: () => Promise<void>;
  /** The root public key devices pin at enrollment. */
  rootJwk: JsonWebKey;
  bundle: PublishedBundle;
  /** Signs configuration profiles (the same root key as the trust bundle). */
  rootPrivateKey: KeyObject;
  /** Where release files (AppImages) of the update feed live. */
  releasesDir: string;
  declarationSigner: { privateKey: KeyObject; kid: string };
  /** `iss` of issued declarations: the server's public URL. */
  issuer: () => string;
  /** The operations room's queries (dashboard, stats, tracing), over `storage`. */
  ops: OpsQueries;
  /** IANA zone of "today" and of every time the pages show. */
  timeZone: string;
  fleet: FleetThresholds;
  /** Limits of the failed-enrollment throttle (../enroll-throttle.ts); the defaults when absent. */
  enrollThrottle?: EnrollThrottleLimits;
  /** Check-ins scanned more than this many days ago are purged, and not stored when they arrive (../checkins.ts). */
  retentionDays: number;
}
