/**
 * SIGTERM and SIGINT for `run`, caught from the process's first moment: a stop asked while the
 * kiosk is still starting (opening the store, taking the data-dir lock, linking to the server) is
 * remembered and carried out as soon as `run` can stop gracefully, instead of Node's default
 * (exit 143 with no word, in the middle of the start). Each signal is caught once: a second one of
 * the same kind ends the process the default way (an impatient operator insisting).
 */

type Signal = 'SIGTERM' | 'SIGINT';
const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];

let pending: Signal | undefined;
let handler: ((signal: Signal) => void) | undefined;
const listeners = new Map<Signal, () => void>();

/** Starts catching SIGTERM/SIGINT (idempotent); until onStopSignal() the first is only remembered. */
export function latchStopSignals(): void {
  for (const signal of SIGNALS) {
    if (listeners.has(signal)) continue;
    const listener = () => {
      if (handler) handler(signal);
      else pending ??= signal;
    };
    listeners.set(signal, listener);
    process.once(signal, listener);
  }
}

/** Hands the signals to `stop`, at once with one caught before this call. */
export function onStopSignal(stop: (signal: Signal) => void): void {
  latchStopSignals();
  handler = stop;
  const early = pending;
  pending = undefined;
  if (early) stop(early);
}

/**
 * Gives the signals back to Node's default (for a `run` that does not start a kiosk, such as
 * --set-pin); a signal caught meanwhile is raised again, so it still ends the process.
 */
export function releaseStopSignals(): void {
  for (const [signal, listener] of listeners) process.off(signal, listener);
  listeners.clear();
  handler = undefined;
  const early = pending;
  pending = undefined;
  if (early) process.kill(process.pid, early);
}
