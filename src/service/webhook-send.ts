import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookTarget } from './webhook-target.js';

/** Bytes of a receiver's response body read at most; the rest is dropped unread. */
export const MAX_RESPONSE_BYTES = 4096;

/** What one delivery attempt got back. */
export interface SendOutcome {
  status: number;
  headers: IncomingHttpHeaders;
  /** The start of the response body (at most MAX_RESPONSE_BYTES, as text). */
  body: string;
}

/** A delivery attempt that got no HTTP response: network error or timeout. */
export class SendError extends Error {
  override name = 'SendError';
}

/**
 * Keep-alive connections for a worker's deliveries: many deliveries go to the same receivers, and
 * a new connection each time was about half of a delivery's CPU on both ends. A pooled
 * connection was made to an address checked for the same host and port (sockets are pooled by
 * them), so reusing it never reaches an address that was not checked.
 */
export interface WebhookAgents {
  http: HttpAgent;
  https: HttpsAgent;
  /** Closes the idle connections (at shutdown). */
  destroy(): void;
}

export function createWebhookAgents(): WebhookAgents {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true });
  return {
    http,
    https,
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

/**
 * POSTs `body` to the target, connecting to the address that was checked (a lookup that
 * always answers it, so a second DNS answer is never used), with TLS checked against the URL's
 * host, over a kept-alive connection of `agents` if one is free (else a new one). No redirect is
 * followed; the response body is read up to MAX_RESPONSE_BYTES (a longer one closes the
 * connection); the whole attempt is bounded by `timeoutMs` (docs/api.md "Webhooks").
 *
 * @throws SendError on a network error or timeout.
 */
export function sendWebhook(
  target: WebhookTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  agents?: WebhookAgents,
): Promise<SendOutcome> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all === true)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    else callback(null, target.address, target.family);
  };
  const https = target.url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: SendOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const req = send(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'fbstab-webhooks',
        },
        agent: agents === undefined ? false : https ? agents.https : agents.http,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        const done = () =>
          finish({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'),
          });
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          if (length >= MAX_RESPONSE_BYTES) {
            // The rest is never read: this connection cannot be reused.
            done();
            res.destroy();
          }
        });
        // Read to its end, the connection goes back to the pool.
        res.on('end', done);
        res.on('error', (error) => finish(new SendError(error.message)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(new SendError(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(new SendError(error.code === undefined ? error.message : `${error.code}: ${error.message}`)),
    );
    req.end(body);
  });
}
