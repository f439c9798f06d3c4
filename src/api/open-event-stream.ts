import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';

/** An open Server-Sent Events response and the one way to end it. */
export interface EventStream {
  res: ServerResponse;
  /** Ends the stream once: clears `timers`, calls `onEnd`, forgets it in `streams`. */
  end: () => void;
  /** Intervals to clear when the stream ends. */
  timers: NodeJS.Timeout[];
  isEnded: () => boolean;
}

/**
 * Takes over the reply and starts a text/event-stream (docs/api.md "Changes" and `GET /v1/experiments/{id}/events`). The headers hooks
 * already set (CORS's Access-Control-Allow-Origin among them) go out with it: a hijacked reply
 * sends only what is written here. The stream ends when the client goes, on a socket error, or
 * when the app closes it through `streams`.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  streams: Set<() => void>,
  onEnd: () => void,
): EventStream {
  const hookHeaders = Object.fromEntries(
    Object.entries(reply.getHeaders()).filter(
      (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
    ),
  );
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...hookHeaders,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(request.id),
  });
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  const end = () => {
    if (ended) return;
    ended = true;
    for (const timer of timers) clearInterval(timer);
    onEnd();
    streams.delete(end);
    if (!res.writableEnded) res.end();
  };
  streams.add(end);
  request.raw.on('close', end);
  res.on('close', end);
  res.on('error', end);
  return { res, end, timers, isEnded: () => ended };
}
