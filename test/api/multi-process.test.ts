// Many API processes, one Redis: two real `npm start` processes (A and B, each its own port)
// and a real worker share a private redis-server. Every guarantee must hold across processes,
// because they share nothing but Redis. Then API_PROCESSES=2 runs two on one port.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { freePort, startRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { startApiProcess, startWorkerProcess, type ServiceProcess } from '../support/worker-process.js';
import { readEvents } from './helpers.js';

const KEY = 'multi-process-key';
const LIMITED_KEY = 'rate-limited-key';
const RATE_LIMIT = 60;

let redis: TestRedis;
const processes: ServiceProcess[] = [];
let a: string;
let b: string;
let worker: ServiceProcess;

const env = () => ({
  REDIS_URL: redis.url,
  API_KEYS: `${KEY},${LIMITED_KEY}`,
  RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
  // Each test makes few requests with KEY; polling is spaced so it stays under the limit.
  LOG_LEVEL: 'info',
});

async function startApi(extra: Record<string, string> = {}): Promise<string> {
  const port = await freePort();
  const api = startApiProcess({ ...env(), PORT: String(port), ...extra });
  processes.push(api);
  await api.ready;
  return `http://127.0.0.1:${port}`;
}

before(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([startApi(), startApi()]);
  worker = startWorkerProcess({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '1' });
  processes.push(worker);
  await worker.ready;
});

after(async () => {
  for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await redis.stop();
});

/** One request on its own connection (no keep-alive), so a cluster may route each anywhere. */
async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; key?: string } = {},
): Promise<{ status: number; headers: Record<string, string | undefined>; body: Body }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? KEY}`,
      connection: 'close',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: (text === '' ? {} : JSON.parse(text)) as Body,
  };
}

/** The fields of the answers these tests read. */
interface Body {
  id?: string;
  status?: string;
  progress?: { completedTrials: number };
  items?: { request: { seed: number } }[];
}

const small = (seed: number, trials = 40) => ({
  type: 'frame-bounds',
  seed,
  trials,
  signalLength: 64,
  filterbank: { numFilters: 4, filterLengths: [4, 8] },
});

test('the same Idempotency-Key sent to two processes at once gives one experiment, named by both', async () => {
  for (let i = 0; i < 5; i++) {
    const headers = { 'idempotency-key': `race-${i}` };
    const body = small(100 + i);
    const [fromA, fromB] = await Promise.all([
      call(a, 'POST', '/v1/experiments', { body, headers }),
      call(b, 'POST', '/v1/experiments', { body, headers }),
    ]);
    assert.equal(fromA.status, 202);
    assert.equal(fromB.status, 202);
    assert.equal(fromA.body.id, fromB.body.id, `round ${i}: both answers name one experiment`);
  }
  const list = await call(a, 'GET', '/v1/experiments?limit=100&view=full');
  const seeds = list.body.items!.map((item) => item.request.seed);
  for (let i = 0; i < 5; i++) assert.equal(seeds.filter((s) => s === 100 + i).length, 1);
});

test('rate limits are counted once across processes', async () => {
  let passed = 0;
  let limited: Awaited<ReturnType<typeof call>> | undefined;
  for (let i = 0; i < RATE_LIMIT + 5 && limited === undefined; i++) {
    const res = await call(i % 2 === 0 ? a : b, 'GET', '/v1/experiments?limit=1', { key: LIMITED_KEY });
    if (res.status === 200) passed++;
    else limited = res;
  }
  assert.equal(passed, RATE_LIMIT, 'the budget is shared: one minute, one count');
  assert.equal(limited?.status, 429);
  assert.ok(Number(limited?.headers['retry-after']) >= 1);
});

test('an SSE client on process A sees the progress of an experiment submitted through B', async () => {
  const created = await call(b, 'POST', '/v1/experiments', { body: small(7, 3000) });
  assert.equal(created.status, 202);
  const stream = await readEvents(`${a}/v1/experiments/${created.body.id}/events`, {
    headers: { authorization: `Bearer ${KEY}` },
    timeoutMs: 60_000,
  });
  assert.equal(stream.status, 200);
  const progress = stream.events.filter((e) => e.event === 'progress');
  assert.ok(progress.length >= 1, 'progress events reached A');
  const last = stream.events.at(-1)!;
  assert.equal(last.event, 'status');
  assert.equal((last.data as { status: string }).status, 'succeeded');
});

test('a cancel through process A stops work submitted through process B', async () => {
  const created = await call(b, 'POST', '/v1/experiments', {
    body: {
      ...small(9),
      trials: 400_000,
      signalLength: 1024,
      filterbank: { numFilters: 40, filterLengths: [1024] },
    },
  });
  assert.equal(created.status, 202);
  const id = created.body.id as string;
  await waitFor(
    async () => (await call(a, 'GET', `/v1/experiments/${id}`)).body,
    (r) => r.progress!.completedTrials > 0,
    60_000,
    'the experiment to run',
    500,
  );
  const cancelled = await call(a, 'POST', `/v1/experiments/${id}/cancel`);
  assert.equal(cancelled.body.status, 'cancelled');
  // The cancel lands either while a task of it runs (which aborts) or between two tasks (the
  // next one is skipped); a task lasts about 0.1 s here, so both happen.
  const stopped = new Set(['task aborted: experiment cancelled', 'experiment gone or stopped; task skipped']);
  await waitFor(
    async () => worker.logs.filter((l) => stopped.has(String(l.msg)) && l.experimentId === id),
    (lines) => lines.length > 0,
    5_000,
    'the worker to stop the experiment’s tasks',
  );
  const then = (await call(b, 'GET', `/v1/experiments/${id}`)).body;
  assert.equal(then.status, 'cancelled');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(
    (await call(b, 'GET', `/v1/experiments/${id}`)).body.progress!.completedTrials,
    then.progress!.completedTrials,
  );
});

test("the change log is one across processes: a change through B shows in A's changedSince, SSE and ETag", async () => {
  const start = await call(a, 'GET', '/v1/experiments?limit=1');
  const token = (start.body as { changeToken?: string }).changeToken!;
  // GET /v1/events on A, started after the token: it must carry what B's submission does.
  const controller = new AbortController();
  const stream = await fetch(`${a}/v1/events?changedSince=${token}`, {
    headers: { authorization: `Bearer ${KEY}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  assert.equal(stream.status, 200);
  const created = await call(b, 'POST', '/v1/experiments', { body: small(11) });
  const id = created.body.id!;
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const finishedOnA = new RegExp(`"id":"${id}","type":"frame-bounds","status":"succeeded"`);
  while (!finishedOnA.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  controller.abort();
  assert.match(text, finishedOnA);

  const changed = await call(a, 'GET', `/v1/experiments?changedSince=${token}`);
  const items = (changed.body as unknown as { items?: { id: string; status: string }[] }).items!;
  assert.equal(items.find((i) => i.id === id)?.status, 'succeeded');
  const next = (changed.body as { changeToken?: string }).changeToken!;
  // B computes the same validator as A for the same query: the sequence lives in Redis.
  const same = await call(b, 'GET', `/v1/experiments?changedSince=${token}`, {
    headers: { 'if-none-match': changed.headers.etag! },
  });
  assert.equal(same.status, 304);
  const quiet = await call(b, 'GET', `/v1/experiments?changedSince=${next}`);
  assert.deepEqual((quiet.body as { items?: unknown[] }).items, []);
  assert.equal((quiet.body as { changeToken?: string }).changeToken, next);
});

test('API_PROCESSES=2 serves one port from two processes, and SIGTERM stops both cleanly', async () => {
  const port = await freePort();
  const group = startApiProcess({ ...env(), PORT: String(port), API_PROCESSES: '2' });
  processes.push(group);
  await group.ready;
  // Each process writes its log lines every 250 ms (LOG_BUFFER_BYTES): wait for them.
  const pidsOf = (lines: typeof group.logs) => new Set(lines.map((l) => l.pid));
  const listeners = await waitFor(
    async () => pidsOf(group.logs.filter((l) => String(l.msg).startsWith('Server listening'))),
    (pids) => pids.size >= 2,
    5_000,
    'both processes to say they listen',
  );
  assert.equal(listeners.size, 2, 'two processes listen');
  // New connections are spread over the processes (the primary hands them out in turn).
  for (let i = 0; i < 20; i++) {
    await new Promise<void>((resolve, reject) =>
      httpRequest({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
        res.resume().on('end', resolve);
      })
        .on('error', reject)
        .end(),
    );
  }
  const servedBy = await waitFor(
    async () => pidsOf(group.logs.filter((l) => l.url === '/healthz')),
    (pids) => pids.size >= 2 && group.logs.filter((l) => l.url === '/healthz').length >= 20,
    5_000,
    'the log lines of the 20 requests',
  ).catch(() => pidsOf(group.logs.filter((l) => l.url === '/healthz')));
  assert.equal(servedBy.size, 2, `requests served by ${[...servedBy].join(', ')}`);
  group.child.kill('SIGTERM');
  assert.equal(await group.exited, 0);
  assert.ok(group.logs.filter((l) => l.msg === 'stopped').length === 2, 'each process shut down gracefully');
});
