/**
 * "Can we listen here?", asked the same way by the kiosk's web mode (`run --ui web --port`), the
 * central server (`central --port --host`) and the demo (are the ports of a kept data dir still
 * free?): bind the address once and release it, before anything is created. One mapping from the
 * bind error to a plain message that names the problem and the fix; whether that is the user's
 * flags to change (`usage`) or just a busy port now (worth a retry) is said by a flag, and each
 * command keeps its own exit codes (the central server: busy → 1, flags at fault → 2; run: 1).
 */
import net from 'node:net';

/**
 * `host:port` cannot be listened on. `message` is `<problem>; <fix>`: `problem` names the address
 * and what is wrong, `fix` what to do. `usage` is true when the flags are at fault (an address not
 * on this machine, a privileged port) and false when the port is merely busy now (another server,
 * perhaps still stopping). `code`: the errno name.
 */
export class PortBusyError extends Error {
  override name = 'PortBusyError';
  constructor(
    readonly problem: string,
    readonly fix: string,
    readonly usage: boolean,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`${problem}; ${fix}`, options);
  }
}

/** The plain-words refusal for a failed listen on `host:port`, or undefined for any other error (EMFILE …). */
export function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): PortBusyError | undefined {
  const where = port === 0 ? host : `port ${port} on ${host}`;
  const code = err.code ?? '';
  switch (code) {
    case 'EADDRINUSE':
      return new PortBusyError(`${where} is already in use (another server or kiosk?)`, 'stop it or choose another --port', false, code, { cause: err });
    case 'EACCES':
      return new PortBusyError(`${where} needs privileges this process lacks`, 'choose a port above 1023', true, code, { cause: err });
    case 'EADDRNOTAVAIL':
      return new PortBusyError(`--host ${host} is not an address of this machine`, 'give one of its own addresses (ip -brief address), 0.0.0.0 for all of them, or 127.0.0.1', true, code, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PortBusyError(`--host ${host} does not resolve to an address (${code})`, 'give an IP address of this machine, 0.0.0.0 or 127.0.0.1', true, code, { cause: err });
    default:
      return undefined;
  }
}

/**
 * Listens on `host:port` (exclusively) and closes again. Resolves when that worked; rejects with
 * a PortBusyError (listenProblem) or, for another failure, the original error. Port 0 is probed
 * too: an ephemeral port on an address that is not ours fails just the same.
 */
export function probeListen(host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(listenProblem(err, host, port) ?? err));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Whether `host:port` can be listened on now: undefined when it can, else why not (PortBusyError or the error). */
export async function listenRefusal(host: string, port: number): Promise<Error | undefined> {
  try {
    await probeListen(host, port);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
