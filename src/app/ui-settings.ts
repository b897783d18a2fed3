/**
 * Settings of the screens, kept in the store so they survive restarts: the profile (`run
 * --profile`, or the technician), the time zone times are shown in, and the officer idle time.
 */
import { DEFAULT_TIME_ZONE, PROFILES, type Profile } from '../shared/api.js';
import type { CheckInStore } from '../store/types.js';

export const UI_SETTINGS = {
  profile: 'ui.profile',
  timeZone: 'ui.timeZone',
  officerIdleMinutes: 'booth.officerIdleMinutes',
} as const;

export const DEFAULT_OFFICER_IDLE_MINUTES = 10;

type Settings = Pick<CheckInStore, 'getSetting'>;

export function readProfile(store: Settings): Profile {
  const v = store.getSetting(UI_SETTINGS.profile);
  return (PROFILES as readonly string[]).includes(v ?? '') ? (v as Profile) : 'venue';
}

export function readTimeZone(store: Settings): string {
  const v = store.getSetting(UI_SETTINGS.timeZone);
  return v && isTimeZone(v) ? v : DEFAULT_TIME_ZONE;
}

export function readOfficerIdleMinutes(store: Settings): number {
  const n = Number(store.getSetting(UI_SETTINGS.officerIdleMinutes));
  return Number.isInteger(n) && n >= 1 && n <= 240 ? n : DEFAULT_OFFICER_IDLE_MINUTES;
}

/** True for a time zone name this runtime knows (IANA tz database, as Intl reads it). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
