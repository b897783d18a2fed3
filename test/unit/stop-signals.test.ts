/**
 * run's stop signals (src/cli/stop-signals.ts): a repeat soon after the first is the same stop
 * (`timeout` signals the command, then its process group; a terminal's Ctrl-C reaches the group);
 * a later one forces the exit and says so. Before, any second signal of one kind ended the process
 * the default way, silently (exit 143 with no `closed`/`stopped` line, in a camera's stop).
 */
import { afterEach, expect, it } from 'vitest';
import { latchStopSignals, onStopSignal, releaseStopSignals, REPEAT_GRACE_MS } from '../../src/cli/stop-signals.js';

afterEach(() => releaseStopSignals());

it('a repeat within the grace is handed to the stop again; the same signal later forces the exit with 128 + its number', () => {
  let now = 1_000;
  const stops: string[] = [];
  const forced: [string, number][] = [];
  onStopSignal((s) => stops.push(s), { now: () => now, forceExit: (s, code) => forced.push([s, code]) });
  process.emit('SIGTERM');
  now += 5;
  process.emit('SIGTERM');
  expect(stops).toEqual(['SIGTERM', 'SIGTERM']);
  now += REPEAT_GRACE_MS;
  // The first of the other kind is still a request to stop.
  process.emit('SIGINT');
  expect(stops).toEqual(['SIGTERM', 'SIGTERM', 'SIGINT']);
  expect(forced).toEqual([]);
  process.emit('SIGTERM');
  expect(forced).toEqual([['SIGTERM', 143]]);
  now += REPEAT_GRACE_MS;
  process.emit('SIGINT');
  expect(forced.at(-1)).toEqual(['SIGINT', 130]);
  expect(stops).toHaveLength(3);
});

it('a signal before the stop handler is set is remembered and carried out then', () => {
  const stops: string[] = [];
  latchStopSignals();
  process.emit('SIGINT');
  onStopSignal((s) => stops.push(s), { forceExit: () => undefined });
  expect(stops).toEqual(['SIGINT']);
});
