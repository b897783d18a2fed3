/**
 * Parts of the program are loaded when first needed (the HTTP client, the web screens' server): a
 * bundle's chunk, imported by a long-running kiosk hours after it started. An upgrade or a rebuild
 * in place (scripts/build.mjs writes new chunk names; an older build removed the old ones) can take
 * that file away under the running process, and the import then fails with ERR_MODULE_NOT_FOUND.
 * That is not a network or configuration problem: the message says what happened and what to do
 * (restart the kiosk, so it runs the installed version). docs/OPERATIONS.md, "Upgrading".
 */

/** Thrown by lazyImport when the file to load is gone. */
export class ProgramChangedError extends Error {
  constructor(what: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0]?.slice(0, 200) : String(cause).slice(0, 200);
    super(
      `the installed program changed under the running kiosk: ${what} could not be loaded (${detail}), because the program was upgraded or rebuilt while this kiosk ran; restart the kiosk (stop it, then start it) so that it runs the installed version — nothing is wrong with the network or the server`,
    );
    this.name = 'ProgramChangedError';
  }
}

/** Whether `err` (or an error it was caused by) says a module file could not be found. */
export function isModuleGone(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  }
  return false;
}

/** `load()` (a dynamic import of `what`), a vanished module file reported as ProgramChangedError. */
export async function lazyImport<T>(what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isModuleGone(err)) throw new ProgramChangedError(what, err);
    throw err;
  }
}
