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
} as const;
