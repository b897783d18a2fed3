/**
 * The exit codes of every `checkpoint-kiosk` command, `central` subcommands and the stand-alone
 * central server included (README.md, "Exit codes"). One table, so the same problem gives the same
 * code whichever command meets it:
 *
 * - 0 `ok`: done (verify: a verdict was produced, whatever it is; audit --verify: the chain holds).
 * - 1 `failure`: the command line was right, but running it failed: a database that is corrupt,
 *   locked or on a full disk, a port in use, a data dir held by another kiosk, an unreachable
 *   PostgreSQL, a wrong technician PIN, an audit chain found broken, a scan source that broke.
 * - 2 `usage`: the command line must be changed: an unknown command or flag, a bad value, a
 *   missing required flag, or something a flag names that does not exist or cannot be used — a
 *   trust, policy, CA or scan file, a data dir or database that holds no database, a device or
 *   release the server does not know.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
