/** Store setting keys the UI API reads and writes (one place, so every writer agrees). */
import { SETTINGS } from './settings.js';

export const API_SETTINGS = {
  checkpoint: SETTINGS.checkpoint,
  checkpointName: 'device.checkpointName',
  direction: SETTINGS.direction,
  serverUrl: 'server.url',
  enrolled: 'server.enrolledAt',
  shiftStart: 'booth.shiftStart',
  /** `<shift start>|<count>`: the shift's duplicate scans (not recorded as check-ins), kept across restarts. */
  shiftDuplicates: 'booth.shiftDuplicates',
} as const;
