/**
 * A child that outlives its parent holds ports and data dirs nobody will release: `npm run demo`
 * killed with SIGKILL left its central server listening. A signal handler never sees the parent's
 * SIGKILL, but a child started with a Node IPC channel (`stdio: [..., 'ipc']`, as the demo starts
 * its central server and kiosk) sees that channel close the moment the parent is gone, however it
 * died. A process started without one (systemd, a shell, the tests) is not affected.
 */

/**
 * Calls `stop` once when the IPC channel to the parent closes (the parent exited or was killed).
 * The channel is unreferenced first, so it never keeps the process alive by itself. Does nothing
 * when the process has no IPC channel. Returns a function that stops watching.
 */
export function onParentGone(stop: () => void): () => void {
  const channel = process.channel;
  if (!channel) return () => undefined;
  channel.unref();
  const gone = () => stop();
  process.once('disconnect', gone);
  return () => void process.off('disconnect', gone);
}
