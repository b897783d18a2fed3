/** Keys of the kiosk's own settings in the store (one place, so every writer agrees). */
export const SETTINGS = {
  deviceId: 'device.id',
  /**
   * The id this kiosk recorded under before its current one (its local id before enrollment, or
   * an earlier enrollment's): still the same device for the duplicate window.
   */
  formerDeviceId: 'device.formerId',
  checkpoint: 'device.checkpoint',
  direction: 'device.direction',
  /** 'venue' | 'booth', as set by `run --profile` or a provisioning card / remote profile. */
  profile: 'device.profile',
  /** SHA-256 hex of the one-time code the current enrollment was made with (never the code). */
  enrollCodeHash: 'central.enrollCodeHash',
  /**
   * JSON `{code, attempt}` of an enrollment sent and not yet saved: the attempt secret and the
   * SHA-256 of its code, so a retry with the same code gets the same device back
   * (enroll-attempt.ts); '' once saved.
   */
  enrollAttempt: 'central.enrollAttempt',
  /**
   * The central root key (`x.y` of its P-256 JWK) the kiosk's pending check-ins are kept for: the
   * key of the enrollment in force when they were recorded. An enrollment with another root key
   * (another central server) does not receive them (central-link.ts, holdForOtherServer).
   */
  deliveryRootKey: 'central.deliveryRootKey',
} as const;

/** rejectReason of check-ins (and overrides) kept on the kiosk because it enrolled with another central server. */
export const HELD_FOR_PREVIOUS_SERVER = 'held-previous-server';

/** Store settings of provisioning cards (provisioning.ts); '' means none. */
export const PROVISIONING_SETTINGS = {
  /** JSON record of a card being applied: written before it enrolls, cleared once all its settings are. */
  pending: 'provisioning.pending',
  /** JSON record of the last card applied (its config's in-memory part is re-applied at each start). */
  applied: 'provisioning.applied',
  /**
   * Key id of a card that tried to enroll this never-enrolled kiosk and failed, or was cut off by a
   * restart before it enrolled (never the code).
   */
  triedKid: 'provisioning.triedKid',
  /**
   * Expiry (ISO time) of that tried card, written with triedKid: once it has passed, the tried card
   * can no longer be used and no longer counts as a chosen server (retention, central-link.ts).
   */
  triedUntil: 'provisioning.triedUntil',
} as const;
