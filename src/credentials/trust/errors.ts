/**
 * The one error the trust-bundle code throws. Its message is meant for a technician: it names
 * where the problem is (a file, a JSON path such as `dcc.signers[3].certificate`) and what is
 * wrong, and never echoes bundle contents beyond short identifiers.
 */
export class TrustBundleError extends Error {
  override readonly name = 'TrustBundleError';
  /** JSON path of the offending value (`''` = the whole bundle), when the problem is in the JSON. */
  readonly path: string | undefined;
  /** The file being read, when the bundle came from a file. */
  readonly file: string | undefined;

  constructor(message: string, opts: { path?: string; file?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.path = opts.path;
    this.file = opts.file;
  }

  /** Plain object for crossing a process boundary (IPC, JSON logs). */
  toJSON(): { name: string; message: string; path?: string; file?: string } {
    return {
      name: this.name,
      message: this.message,
      ...(this.path !== undefined ? { path: this.path } : {}),
      ...(this.file !== undefined ? { file: this.file } : {}),
    };
  }
}

/** Error for a value at `path`: the message reads `path: problem`. */
export function invalidAt(path: string, problem: string): TrustBundleError {
  return new TrustBundleError(`${path || 'bundle'}: ${problem}`, { path });
}
