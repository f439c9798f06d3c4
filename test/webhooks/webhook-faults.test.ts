// Webhook faults (docs/api.md "Webhooks", durability): worker processes killed with SIGKILL while
// an experiment runs and while a delivery is in flight, a final event recorded while no worker
// runs, and Redis (AOF on) killed and restarted while a delivery waits for its retry. In every
// case the receiver, a real HTTP server on loopback, still accepts the delivery. Also, with
// worker processes of their own settings: the address check at delivery, the result size limit,
// and the failed event.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { startStack, type Stack } from '../api/helpers.js';
import { startRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { accepted, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const SECRET = `whsec_${Buffer.from('fbstab webhook fault secret, 32 by').toString('base64')}`;
const webhookEnv = {
  RATE_LIMIT_PER_MINUTE: '0',
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_RETRY_MAX_MS: '2000',
  WEBHOOK_TIMEOUT_MS: '2000',
};

let stack: Stack;
let receiver: WebhookReceiver;
const workers: WorkerProcess[] = [];
const http = () => request(stack.app.server);

/** A worker process with short locks, so a killed worker's jobs are taken up within seconds. */
async function startWorker(extra: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = startWorkerProcess({
    REDIS_URL: stack.server.url,
    WORKER_CONCURRENCY: '1',
    JOB_LOCK_MS: '2000',
    STALLED_INTERVAL_MS: '1000',
    ...webhookEnv,
    ...extra,
  });
  workers.push(worker);
  await worker.ready;
  return worker;
}

async function kill(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

before(async () => {
  // appendfsync always (test/support/redis-server.ts): what Redis acknowledged survives a kill.
  stack = await startStack({ server: await startRedis({ appendOnly: true }), env: webhookEnv });
  receiver = await startWebhookReceiver();
});
after(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await receiver.close();
  await stack.close();
  await stack.server.stop();
});

interface Attempt {
  deliveryId: string;
  status: string;
  httpStatus: number | null;
  error: string | null;
}
/** The attempts so far; none while the API answers 503 (Redis reconnecting after a restart). */
const deliveries = async (id: string): Promise<Attempt[]> => {
  const res = await http().get(`/v1/experiments/${id}/deliveries`);
  if (res.status === 503) return [];
  assert.equal(res.status, 200, res.text);
  return res.body.items as Attempt[];
};
const deliveredTo = async (id: string, what: string): Promise<Attempt[]> =>
  waitFor(
    () => deliveries(id),
    (a) => a.some((x) => x.status === 'delivered'),
    60_000,
    what,
    100,
  );

async function submit(body: object): Promise<string> {
  const res = await http()
    .post('/v1/experiments')
    .send({ ...body, notify: { url: receiver.url } })
    .expect(202);
  return res.body.id as string;
}

const longer = {
  type: 'frame-bounds',
  seed: 11,
  trials: 3000,
  signalLength: 1024,
  filterbank: { numFilters: [10, 40], filterLengths: [256, 1024] },
};

test('a worker killed mid-experiment: another finishes it and the delivery is made', async () => {
  const victim = await startWorker();
  const id = await submit(longer);
  await waitFor(
    async () => (await http().get(`/v1/experiments/${id}`)).body.progress?.completedTrials ?? 0,
    (n: number) => n > 0,
    60_000,
    'the experiment to run',
  );
  await kill(victim);
  const rescuer = await startWorker();
  const attempts = await deliveredTo(id, 'the delivery by the second worker');
  assert.equal(accepted(receiver, attempts[0]!.deliveryId).length, 1);
  await kill(rescuer);
});

test('a worker killed while its delivery is in flight: another delivers it', async () => {
  const victim = await startWorker();
  // The first attempt is held by the receiver (longer than the timeout): killed meanwhile.
  receiver.answers.push({ status: 200, holdMs: 30_000 });
  const before = receiver.received.length;
  const id = await submit({ ...longer, trials: 20, filterbank: { numFilters: 4, filterLengths: [8] } });
  await waitFor(
    async () => receiver.received.length,
    (n) => n > before,
    60_000,
    'the first attempt',
  );
  await kill(victim);
  const rescuer = await startWorker();
  const attempts = await deliveredTo(id, 'the delivery after the kill');
  assert.equal(accepted(receiver, attempts.at(-1)!.deliveryId).length, 1);
  await kill(rescuer);
});

test('an experiment made final while no worker runs (cancelled): delivered once a worker starts', async () => {
  // No worker: the experiment waits queued; the cancel makes it final in the API process, and
  // the same script puts its event in the outbox, which the next worker drains.
  const id = await submit(longer);
  await http().post(`/v1/experiments/${id}/cancel`).expect(200);
  assert.deepEqual(await deliveries(id), []);
  const worker = await startWorker();
  const attempts = await deliveredTo(id, 'the cancelled event');
  const body = JSON.parse(accepted(receiver, attempts[0]!.deliveryId)[0]!.body) as { type: string };
  assert.equal(body.type, 'experiment.cancelled');
  await kill(worker);
});

test('Redis killed and restarted while a delivery waits for its retry: it is still delivered', async () => {
  // A 503 with Retry-After 3 s: the retry is a delayed job in Redis when Redis dies.
  receiver.answers.push({ status: 503, headers: { 'retry-after': '3' } });
  const worker = await startWorker();
  const id = await submit({ ...longer, trials: 20, filterbank: { numFilters: 4, filterLengths: [8] } });
  const first = await waitFor(
    () => deliveries(id),
    (a) => a.some((x) => x.status === 'retrying'),
    60_000,
    'the first attempt',
  );
  assert.equal(first[0]!.httpStatus, 503);
  await stack.server.stop({ kill: true });
  await stack.server.restart();
  const attempts = await deliveredTo(id, 'the delivery after the restart');
  assert.equal(attempts.at(-1)!.httpStatus, 200);
  assert.equal(accepted(receiver, attempts[0]!.deliveryId).length, 1);
  assert.equal(worker.child.exitCode, null, 'the worker survived the outage');
  await kill(worker);
});

test('a worker re-checks the address at delivery: one that may not reach loopback refuses, once', async () => {
  // The API (WEBHOOK_ALLOW_PRIVATE=true) accepted the URL; this worker's rules refuse it.
  const before = receiver.received.length;
  const id = await submit({ ...longer, trials: 20, filterbank: { numFilters: 4, filterLengths: [8] } });
  const worker = await startWorker({ WEBHOOK_ALLOW_PRIVATE: 'false' });
  const attempts = await waitFor(
    () => deliveries(id),
    (a) => a.some((x) => x.status === 'failed'),
    60_000,
    'the refusal',
    100,
  );
  assert.equal(attempts.length, 1);
  assert.equal(attempts[0]!.httpStatus, null);
  assert.match(
    attempts[0]!.error ?? '',
    /^refused: host 127\.0\.0\.1 resolves to 127\.0\.0\.1, which is not a public address/,
  );
  assert.equal(receiver.received.length, before, 'nothing was sent');
  await kill(worker);
});

test('a resource over WEBHOOK_MAX_RESULT_BYTES is delivered without its result, with its link', async () => {
  const id = await submit({ ...longer, trials: 20, filterbank: { numFilters: 4, filterLengths: [8] } });
  const worker = await startWorker({ WEBHOOK_MAX_RESULT_BYTES: '500' });
  const attempts = await deliveredTo(id, 'the delivery');
  const body = JSON.parse(accepted(receiver, attempts[0]!.deliveryId)[0]!.body) as {
    resultOmitted?: boolean;
    data: { status: string; result?: unknown; links: { self: string } };
  };
  assert.equal(body.resultOmitted, true);
  assert.equal(body.data.status, 'succeeded');
  assert.equal(body.data.result, undefined);
  assert.equal(body.data.links.self, `/v1/experiments/${id}`);
  const served = (await http().get(body.data.links.self).expect(200)).body;
  assert.ok(served.result !== undefined, 'the link serves the result');
  await kill(worker);
});

test('a failed experiment sends experiment.failed, with its error', async () => {
  // Its stored signal is deleted before any worker plans it: the worker fails it with 422.
  const signal = await http()
    .post('/v1/signals')
    .send({ samples: [1, 0.5, -0.25, 0, 0.75, -1, 0.5, 0.25] })
    .expect(201);
  const id = await submit({
    type: 'energy',
    seed: 1,
    trials: 10,
    filterbank: { numFilters: 2, filterLengths: [4] },
    signals: [{ kind: 'stored', id: signal.body.id }],
  });
  await http().delete(`/v1/signals/${signal.body.id}`).expect(204);
  const worker = await startWorker();
  const attempts = await deliveredTo(id, 'the failed event');
  const body = JSON.parse(accepted(receiver, attempts[0]!.deliveryId)[0]!.body) as {
    type: string;
    data: { status: string; error: { status: number } };
  };
  assert.equal(body.type, 'experiment.failed');
  assert.equal(body.data.status, 'failed');
  assert.equal(body.data.error.status, 422);
  await kill(worker);
});
