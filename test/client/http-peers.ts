// Real HTTP peers for the client's tests: a forwarding proxy in front of the real service that
// can break its event stream, and a scripted server for answers the service gives only under
// load (503 with Retry-After) or never (a reset connection).
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Peer {
  base: string;
  /** Method and path of every request received, in order. */
  seen: string[];
  close(): Promise<void>;
}

async function listen(server: Server, seen: string[]): Promise<Peer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Forwards every request to `target` unchanged, except: `refuse` answers the event streams 502
 * (a proxy that does not pass SSE), `cut` drops them after the first chunk, and `busy-first`
 * answers the very first request 503 with `Retry-After: 1`, as a full queue does.
 */
export function eventBreakingProxy(target: string, mode: 'refuse' | 'cut' | 'busy-first'): Promise<Peer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (mode === 'busy-first' && seen.length === 1) {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' }).end(
        JSON.stringify({
          type: '/problems/service-unavailable',
          title: 'Service unavailable',
          status: 503,
          detail: 'the experiment queue is full; retry later',
        }),
      );
      return;
    }
    const isEvents = mode !== 'busy-first' && /\/events(\?|$)/.test(req.url ?? '');
    if (isEvents && mode === 'refuse') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      return;
    }
    const upstream = request(
      new URL(req.url ?? '/', target),
      // One upstream connection per request, without the client's hop-by-hop headers.
      {
        method: req.method,
        headers: { ...req.headers, host: new URL(target).host, connection: 'close' },
        agent: false,
      },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (isEvents) {
          answer.once('data', (chunk: Buffer) => {
            res.write(chunk, () => {
              answer.destroy();
              res.destroy();
            });
          });
        } else answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return listen(server, seen);
}

/** A server that answers the n-th request with `script[n]` (the last one repeats). */
export function scriptedServer(
  script: ((req: IncomingMessage, res: ServerResponse) => void)[],
): Promise<Peer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const step = script[Math.min(seen.length, script.length - 1)]!;
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => step(req, res));
  });
  return listen(server, seen);
}
