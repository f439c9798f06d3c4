// One dashboard's kept-alive HTTP/1.1 connection for `npm run bench:dashboards`: a GET written
// as one string, the response read straight off the socket (status, ETag, Content-Length body).
// The dashboards stand for browsers on other machines, so what the bench spends on its own side
// of the loopback is not the service's; node:http's client cost about as much CPU per poll as the
// API's answer, this about half of that (the two system calls of a poll stay).
import { connect, type Socket } from 'node:net';

export interface PollResponse {
  status: number;
  etag?: string;
  text: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** A GET-only HTTP/1.1 client on one socket, one request at a time. */
export class PollConnection {
  private readonly socket: Socket;
  private received: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: PollResponse) => void; reject: (e: Error) => void } | undefined;

  private constructor(
    socket: Socket,
    private readonly host: string,
  ) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
      this.parse();
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<PollConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new PollConnection(socket, `${host}:${port}`)));
      socket.once('error', reject);
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<PollResponse> {
    if (this.waiting !== undefined) return Promise.reject(new Error('one request at a time'));
    let head = `GET ${path} HTTP/1.1\r\nhost: ${this.host}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(`${head}\r\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  /** Resolves the request once its whole response is in (Content-Length framing; 304 has none). */
  private parse(): void {
    const end = this.received.indexOf(HEAD_END);
    if (end < 0 || this.waiting === undefined) return;
    const lines = this.received.toString('latin1', 0, end).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    let length = 0;
    let etag: string | undefined;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'etag') etag = value;
      else if (name === 'transfer-encoding') {
        this.fail(new Error(`unexpected transfer-encoding ${value}`));
        return;
      }
    }
    const bodyStart = end + HEAD_END.length;
    if (this.received.length < bodyStart + length) return;
    const text = this.received.toString('utf8', bodyStart, bodyStart + length);
    this.received = this.received.subarray(bodyStart + length);
    const { resolve } = this.waiting;
    this.waiting = undefined;
    resolve({ status, text, ...(etag === undefined ? {} : { etag }) });
  }
}
