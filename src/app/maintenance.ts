/**
 * Periodic housekeeping of the kiosk's store: purge forwarded check-ins older than the retention
 * (each purge leaves a receipt in the hash-chained audit log), and raise an alarm when check-ins
 * wait too long to be forwarded.
 *
 * A kiosk with no central server (`standalone()`: none configured, never enrolled, no card being
 * applied, none tried that has not expired yet; central-link.ts decides) has nothing to forward to: it purges every check-in past the
 * retention, forwarded or not (receipts the same, `unsent: true`), and gives no old-queue alarm.
 * Otherwise a check-in that was not forwarded is never purged. A kiosk enrolled later forwards
 * what is left.
 */
import type { Clock, Logger, Timers } from '../shared/ports.js';
import type { CheckInStore } from '../store/types.js';

export interface MaintenanceOptions {
  store: CheckInStore;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Forwarded check-ins older than this are deleted. Default 21 days. */
  retentionDays?: number;
  /** A pending check-in older than this raises the alarm. Default 2 days. */
  pendingAlarmHours?: number;
  /** How often to run, ms. Default one hour. */
  intervalMs?: number;
  onAlarm?: (alarm: { kind: 'old-pending'; oldestPendingAt: string; depth: number } | null) => void;
  /** Asked at every pass: true only for a kiosk with no central server (see above). Default: never. */
  standalone?: () => boolean;
}

export interface Maintenance {
  /** Runs one pass now; returns what it did. */
  runOnce(): { purged: number; alarm: boolean };
  stop(): void;
}

const DAY_MS = 86_400_000;

export function startMaintenance(opts: MaintenanceOptions): Maintenance {
  const log = opts.logger.child('maintenance');
  const retentionMs = (opts.retentionDays ?? 21) * DAY_MS;
  const alarmMs = (opts.pendingAlarmHours ?? 48) * 3_600_000;
  const intervalMs = opts.intervalMs ?? 3_600_000;
  let handle: unknown;
  let stopped = false;

  const runOnce = () => {
    const now = opts.clock.now();
    let purged = 0;
    let alarm = false;
    try {
      const standalone = opts.standalone?.() === true;
      // The receipt (audit log, hash-chained) names the rule and the retention it applied.
      purged = opts.store.purgeForwarded(new Date(now - retentionMs).toISOString(), {
        rule: standalone
          ? 'kiosk-retention: check-ins scanned more than retentionDays ago, on a kiosk with no central server (nothing to forward them to)'
          : 'kiosk-retention: forwarded check-ins scanned more than retentionDays ago',
        retentionDays: retentionMs / DAY_MS,
        at: new Date(now).toISOString(),
        ...(standalone ? { unsent: true } : {}),
      });
      const stats = opts.store.queueStats();
      // Waiting to be forwarded means nothing where there is nowhere to forward to.
      alarm = !standalone && stats.oldestPendingAt !== undefined && now - Date.parse(stats.oldestPendingAt) > alarmMs;
      if (alarm) log.warn('check-ins waiting too long to be forwarded', { depth: stats.depth, oldestPendingAt: stats.oldestPendingAt });
      opts.onAlarm?.(alarm && stats.oldestPendingAt ? { kind: 'old-pending', oldestPendingAt: stats.oldestPendingAt, depth: stats.depth } : null);
    } catch (err) {
      // Housekeeping must never take the kiosk down; the next pass tries again.
      log.error('maintenance pass failed', { error: err instanceof Error ? err.message : String(err) });
    }
    return { purged, alarm };
  };

  const schedule = () => {
    if (stopped) return;
    handle = opts.timers.setTimeout(() => {
      runOnce();
      schedule();
    }, intervalMs);
  };
  runOnce();
  schedule();

  return {
    runOnce,
    stop() {
      stopped = true;
      opts.timers.clearTimeout(handle);
    },
  };
}
