/**
 * A fault-injecting HTTP proxy on 127.0.0.1 for sync tests. Every request that matches is given
 * the next fault of a programmable plan; the rest pass through to the target untouched.
 *
 * Faults:
 *  - pass            forward as is
 *  - status          answer `status` (e.g. 500, 503) without forwarding; optional headers
 *  - retry-after     429 with `Retry-After: seconds`, not forwarded
 *  - hang            read the request, never answer (the client's timeout must fire)
 *  - reset-mid-body  destroy the connection after the first chunk of the request body
 *  - lose-response   forward, let the server commit, then drop the connection instead of answering
 *  - slow            forward, hold the answer `delayMs` before sending it
 *  - tamper          forward (without If-None-Match), pass the answer body through `mutate`
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'retry-after'; seconds: number }
  | { kind: 'hang' }
  | { kind: 'reset-mid-body' }
  | { kind: 'lose-response' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'tamper'; mutate: (body: string) => string };

export interface FaultProxy {
  url: string;
  /** Faults for the next matching requests, in order; after the list runs out, `then` (default pass). */
  plan(faults: Fault[], then?: Fault): void;
  /** Matching requests seen, and how many got each fault kind. */
  readonly requests: number;
  readonly applied: Readonly<Record<Fault['kind'], number>>;
  /** Requests currently being forwarded or held. */
  readonly inFlight: number;
  close(): Promise<void>;
}

export async function startFaultProxy(opts: { target: string; match?: (req: http.IncomingMessage) => boolean }): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const match = opts.match ?? (() => true);
  let queue: Fault[] = [];
  let fallback: Fault = { kind: 'pass' };
  let requests = 0;
  let inFlight = 0;
  const applied: Record<Fault['kind'], number> = {
    pass: 0, status: 0, 'retry-after': 0, hang: 0, 'reset-mid-body': 0, 'lose-response': 0, slow: 0, tamper: 0,
  };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const forward = (req: http.IncomingMessage, dropInm: boolean, onResponse: (res: http.IncomingMessage, body: Buffer) => void, onError: () => void) => {
    const headers = { ...req.headers, host: target.host };
    if (dropInm) delete headers['if-none-match'];
    const upstream = http.request(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => onResponse(res, Buffer.concat(chunks)));
        res.on('error', onError);
      },
    );
    upstream.on('error', onError);
    req.pipe(upstream);
  };

  const reply = (res: http.ServerResponse, up: http.IncomingMessage, body: Buffer) => {
    const headers = { ...up.headers };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    delete headers.connection;
    delete headers['keep-alive'];
    res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const isMatch = match(req);
    const fault: Fault = isMatch ? (queue.shift() ?? fallback) : { kind: 'pass' };
    if (isMatch) {
      requests++;
      applied[fault.kind]++;
    }
    inFlight++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on('close', finish);
    const fail502 = () => {
      if (!res.headersSent) res.writeHead(502).end();
      finish();
    };
    switch (fault.kind) {
      case 'pass':
        forward(req, false, (up, body) => reply(res, up, body), fail502);
        return;
      case 'status':
        req.resume();
        req.on('end', () => res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(JSON.stringify({ error: 'injected', message: `injected ${fault.status}` })));
        return;
      case 'retry-after':
        req.resume();
        req.on('end', () => res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(fault.seconds) }).end('{"error":"slow-down","message":"injected 429"}'));
        return;
      case 'hang':
        req.resume();
        return;
      case 'reset-mid-body':
        req.once('data', () => req.socket.destroy());
        req.once('end', () => req.socket.destroy());
        return;
      case 'lose-response':
        forward(req, false, () => req.socket.destroy(), () => req.socket.destroy());
        return;
      case 'slow':
        forward(
          req,
          false,
          (up, body) => {
            const t = setTimeout(() => {
              timers.delete(t);
              if (!res.destroyed) reply(res, up, body);
            }, fault.delayMs);
            timers.add(t);
          },
          fail502,
        );
        return;
      case 'tamper':
        forward(req, true, (up, body) => reply(res, up, Buffer.from(fault.mutate(body.toString('utf8')), 'utf8')), fail502);
        return;
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    plan(faults, then) {
      queue = [...faults];
      fallback = then ?? { kind: 'pass' };
    },
    get requests() {
      return requests;
    },
    get applied() {
      return applied;
    },
    get inFlight() {
      return inFlight;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
