import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
 * POSTs `body` to the target, connecting to the address that was checked (a lookup that
 * always answers it, so a second DNS answer is never used), with TLS checked against the URL's
 * host. No redirect is followed; the response body is read up to MAX_RESPONSE_BYTES; the whole
 * attempt is bounded by `timeoutMs` (docs/api.md "Webhooks").
 *
 * @throws SendError on a network error or timeout.
 */
export function sendWebhook(
  target: WebhookTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all === true)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    else callback(null, target.address, target.family);
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
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
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        const done = () => {
          res.destroy();
          finish({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'),
          });
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          if (length >= MAX_RESPONSE_BYTES) done();
        });
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
