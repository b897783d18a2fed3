/** One palette for every section, so a verdict or a device state has the same colour everywhere. */
import type { VerdictKind } from '../../../src/shared/types.js';
import type { DeviceState } from '../fleet.js';

export const VERDICT_COLOR: Record<VerdictKind, string> = { accept: '#16a34a', refer: '#f59e0b', reject: '#dc2626' };
export const STATE_COLOR: Record<DeviceState, string> = {
  ok: '#16a34a',
  'never-seen': '#64748b',
  'stale-heartbeat': '#dc2626',
  'old-queue': '#ea580c',
  'queue-age-unreadable': '#ea580c',
  'past-retention': '#9333ea',
  'clock-offset': '#9333ea',
  'old-trust': '#0284c7',
};
export const TODAY_COLOR = '#2563eb';
export const AVERAGE_COLOR = '#94a3b8';
