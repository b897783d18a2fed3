/**
 * A logger wrapper that keeps the last `size` log lines in memory for the technician screen and
 * the log export. Only the message and namespace are kept (fields stay with the inner logger):
 * messages are constant strings by convention, so nothing personal ends up on screen.
 */
import type { Clock, LogFields, Logger } from '../shared/ports.js';
import type { LogLine } from '../shared/api.js';

export interface LogRing {
  logger: Logger;
  lines(): LogLine[];
}

export function logRing(inner: Logger, clock: Clock, size = 500): LogRing {
  const buffer: LogLine[] = [];
  const push = (level: LogLine['level'], ns: string, msg: string) => {
    buffer.push({ at: new Date(clock.now()).toISOString(), level, ns, msg: msg.slice(0, 200) });
    if (buffer.length > size) buffer.splice(0, buffer.length - size);
  };
  const wrap = (log: Logger, ns: string): Logger => ({
    debug: (m: string, f?: LogFields) => log.debug(m, f),
    info: (m: string, f?: LogFields) => (push('info', ns, m), log.info(m, f)),
    warn: (m: string, f?: LogFields) => (push('warn', ns, m), log.warn(m, f)),
    error: (m: string, f?: LogFields) => (push('error', ns, m), log.error(m, f)),
    child: (sub: string) => wrap(log.child(sub), ns ? `${ns}.${sub}` : sub),
  });
  return { logger: wrap(inner, ''), lines: () => buffer.slice() };
}
