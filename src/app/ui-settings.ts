/**
 * Settings of the screens, kept in the store so they survive restarts: the profile, the time zone
 * times are shown in, and the officer idle time.
 *
 * The profile is ONE setting (SETTINGS.profile, `device.profile`) whoever writes it: `run
 * --profile` at start, the technician panel, a provisioning card, or a new version of the central
 * configuration profile that names `profile`. The last writer wins (README, "Precedence").
 */
import { DEFAULT_TIME_ZONE, PROFILES, type KioskStatus, type Profile } from '../shared/api.js';
import type { CheckInStore } from '../store/types.js';
import { SETTINGS } from './settings.js';
import { REMOTE_SETTINGS } from './remote-config-apply.js';

export const UI_SETTINGS = {
  profile: SETTINGS.profile,
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

/** Screen settings the central configuration profile set (result timeout, language), if any. */
export function readDisplay(store: Settings): { display?: NonNullable<KioskStatus['display']> } {
  const timeout = Number(store.getSetting(REMOTE_SETTINGS.resultTimeoutSeconds));
  const language = store.getSetting(REMOTE_SETTINGS.language);
  const display: NonNullable<KioskStatus['display']> = {
    ...(timeout > 0 ? { resultTimeoutSeconds: timeout } : {}),
    ...(language === 'vi' || language === 'en' ? { language } : {}),
  };
  return Object.keys(display).length > 0 ? { display } : {};
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
