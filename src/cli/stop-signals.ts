/**
 * SIGTERM and SIGINT for `run`, caught from the process's first moment: a stop asked while the
 * kiosk is still starting (opening the store, taking the data-dir lock, linking to the server) is
 * remembered and carried out as soon as `run` can stop gracefully, instead of Node's default
 * (exit 143 with no word, in the middle of the start).
 *
 * A signal repeated within REPEAT_GRACE_MS of its first is the same stop: `timeout` sends SIGTERM
 * to the command and then to its whole process group, a terminal's Ctrl-C goes to the process
 * group too, and an impatient double Ctrl-C is still one request to stop. It is handed to the stop
 * again (which only cuts a delivery try short), as is the first of the other kind. The same signal
 * again after that forces the exit: the process says so on stderr and ends with 128 + the
 * signal's number (143, 130), without waiting for the stop to finish (check-ins already printed
 * are committed). Before, a second signal of the same kind ended the process Node's default way,
 * silently, in the middle of a camera's stop.
 */

type Signal = 'SIGTERM' | 'SIGINT';
const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];
const SIGNAL_NUMBERS: Record<Signal, number> = { SIGINT: 2, SIGTERM: 15 };

/** A repeat of the stop signal within this time of the first is the same stop (ms). */
export const REPEAT_GRACE_MS = 2_000;

export interface StopSignalOptions {
  /** Default Date.now. */
  now?: () => number;
  /** Ends the process when a later signal forces it. Default: a line on stderr, then process.exit. */
  forceExit?: (signal: Signal, code: number) => void;
}

let pending: Signal | undefined;
/** When each signal was first caught. */
const firstAt = new Map<Signal, number>();
let handler: ((signal: Signal) => void) | undefined;
let options: StopSignalOptions = {};
const listeners = new Map<Signal, () => void>();

function defaultForceExit(signal: Signal, code: number): void {
  process.stderr.write(`checkpoint-kiosk run: ${signal} again while stopping: exiting now without finishing the stop (exit ${code}); check-ins already printed are committed\n`);
  process.exit(code);
}

/** Starts catching SIGTERM/SIGINT (idempotent); until onStopSignal() the first is only remembered. */
export function latchStopSignals(): void {
  for (const signal of SIGNALS) {
    if (listeners.has(signal)) continue;
    const listener = () => {
      const now = (options.now ?? Date.now)();
      const first = firstAt.get(signal);
      if (first === undefined) firstAt.set(signal, now);
      else if (now - first >= REPEAT_GRACE_MS) {
        (options.forceExit ?? defaultForceExit)(signal, 128 + SIGNAL_NUMBERS[signal]);
        return;
      }
      if (handler) handler(signal);
      else pending ??= signal;
    };
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

/** Hands the signals to `stop`, at once with one caught before this call. */
export function onStopSignal(stop: (signal: Signal) => void, opts: StopSignalOptions = {}): void {
  options = opts;
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
  firstAt.clear();
  options = {};
  const early = pending;
  pending = undefined;
  if (early) process.kill(process.pid, early);
}
