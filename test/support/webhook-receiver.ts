import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it was answered with (0: never answered, the receiver held it). */
  answered: number;
}

/** How a receiver answers one request: a status, optionally after holding it, with headers. */
export interface Answer {
  status: number;
  holdMs?: number;
  headers?: Record<string, string>;
}

/**
 * A real HTTP server on 127.0.0.1 that receives webhook deliveries: it answers each request with
 * the next queued answer (200 once the queue is empty) and keeps every request it got.
 */
export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Answers for the next requests, in order. */
  answers: Answer[];
  /** Stops listening (connections are refused) until start(). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  let server: Server | undefined;
  const receiver: WebhookReceiver = {
    url: '',
    port,
    received: [],
    answers: [],
    async start() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const entry: ReceivedRequest = {
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            answered: 0,
          };
          receiver.received.push(entry);
          const answer = receiver.answers.shift() ?? { status: 200 };
          const reply = () => {
            if (res.destroyed) return;
            entry.answered = answer.status;
            res.writeHead(answer.status, answer.headers ?? {});
            res.end('ok');
          };
          if (answer.holdMs === undefined) reply();
          else setTimeout(reply, answer.holdMs).unref();
        });
      });
      await new Promise<void>((resolve) => server!.listen(receiver.port, '127.0.0.1', resolve));
      receiver.port = (server.address() as AddressInfo).port;
      receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s === undefined) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async close() {
      await receiver.stop();
    },
  };
  await receiver.start();
  return receiver;
}

/** The requests of one `webhook-id` the receiver answered with 2xx. */
export function accepted(receiver: WebhookReceiver, deliveryId?: string): ReceivedRequest[] {
  return receiver.received.filter(
    (r) =>
      r.answered >= 200 &&
      r.answered < 300 &&
      (deliveryId === undefined || r.headers['webhook-id'] === deliveryId),
  );
}
