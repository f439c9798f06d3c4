// Worker processes against a real redis-server: sharing, SIGKILL recovery and cancellation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kernelPreferenceFromEnvironment } from '../../src/config.js';
import type { KernelPreference } from '../../src/core/wasm/kernel-choice.js';
import { experimentRequestSchema } from '../../src/experiments/experiment-request.js';
import { runExperiment } from '../../src/experiments/run-experiment.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { createServiceHarness, waitFor, type ServiceHarness } from '../support/service-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let redis: TestRedis;
let harness: ServiceHarness;
const workers: WorkerProcess[] = [];

// Short locks so that a killed worker's tasks are retried within seconds instead of 30 s.
const workerEnv = () => ({ REDIS_URL: redis.url, JOB_LOCK_MS: '2000', STALLED_INTERVAL_MS: '1000' });

before(async () => {
  redis = await startRedis();
  harness = await createServiceHarness(redis.url);
});

after(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await harness.close();
  await redis.stop();
});

const expected = (
  body: unknown,
  seed: number,
  kernel: KernelPreference = kernelPreferenceFromEnvironment(),
) =>
  JSON.parse(
    JSON.stringify(
      runExperiment(
        { ...experimentRequestSchema.parse(body), seed },
        undefined,
        undefined,
        undefined,
        kernel,
      ),
    ),
  );

async function finish(id: string, timeoutMs: number) {
  return waitFor(
    () => harness.store.get(id),
    (r) => r !== undefined && ['succeeded', 'failed', 'cancelled'].includes(r.status),
    timeoutMs,
    `experiment ${id} to finish`,
  );
}

test('two worker processes share one experiment’s tasks, and the result equals fbstab run', async () => {
  const a = startWorkerProcess({ ...workerEnv(), WORKER_CONCURRENCY: '1' });
  const b = startWorkerProcess({ ...workerEnv(), WORKER_CONCURRENCY: '1' });
  workers.push(a, b);
  await Promise.all([a.ready, b.ready]);
  const body = {
    type: 'frame-bounds',
    seed: 17,
    trials: 2000,
    filterbank: { numFilters: [8, 20], filterLengths: [16, 256, 1024] },
  };
  const record = await harness.submit(body);
  assert.ok(record.taskCount >= 12, `${record.taskCount} tasks`);
  const done = await finish(record.id, 60_000);
  assert.equal(done!.status, 'succeeded');
  assert.deepEqual(await harness.store.getResult(record.id), expected(body, 17));
  const tasksBy = (w: WorkerProcess) =>
    w.logs.filter((l) => l.msg === 'task done' && l.experimentId === record.id).length;
  // Log lines are written every 250 ms (LOG_BUFFER_BYTES): the last ones may still be on their way.
  await waitFor(
    async () => tasksBy(a) + tasksBy(b),
    (n) => n >= record.taskCount,
    5_000,
    'every task done line',
  );
  assert.ok(tasksBy(a) > 0 && tasksBy(b) > 0, `tasks done: ${tasksBy(a)} and ${tasksBy(b)}`);
  assert.equal(tasksBy(a) + tasksBy(b), record.taskCount);
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  assert.equal(await a.exited, 0, 'SIGTERM exits cleanly');
  assert.equal(await b.exited, 0);
});

test('a worker killed with SIGKILL mid-experiment: another finishes it with the identical result', async () => {
  const victim = startWorkerProcess({ ...workerEnv(), WORKER_CONCURRENCY: '2' });
  workers.push(victim);
  await victim.ready;
  const body = {
    type: 'energy',
    seed: 5,
    trials: 6000,
    filterbank: { numFilters: 10, filterLengths: [64, 512, 1000] },
    signals: [
      { kind: 'brownian', length: 1000, name: 'walk' },
      { kind: 'white-noise', length: 1000, name: 'noise' },
    ],
  };
  const record = await harness.submit(body);
  await waitFor(
    () => harness.store.completedTrials(record.id),
    (n) => n > record.totalTrials * 0.1,
    30_000,
    'some progress',
  );
  const before = await harness.store.completedTrials(record.id);
  assert.ok(before < record.totalTrials, 'killed before the end');
  victim.child.kill('SIGKILL');
  await victim.exited;
  const rescuer = startWorkerProcess({ ...workerEnv(), WORKER_CONCURRENCY: '2' });
  workers.push(rescuer);
  const done = await finish(record.id, 90_000);
  assert.equal(done!.status, 'succeeded');
  assert.deepEqual(await harness.store.getResult(record.id), expected(body, 5));
  assert.equal(
    await harness.store.completedTrials(record.id),
    record.totalTrials,
    'progress counts each trial once',
  );
  rescuer.child.kill('SIGTERM');
  assert.equal(await rescuer.exited, 0);
});

test('a cancel sent through the store and pub/sub stops the tasks running in another process within a second', async () => {
  const w = startWorkerProcess({ ...workerEnv(), WORKER_CONCURRENCY: '2' });
  workers.push(w);
  await w.ready;
  const body = {
    type: 'frame-bounds',
    seed: 1,
    trials: 400_000,
    filterbank: { numFilters: 40, filterLengths: [1024] },
  };
  const record = await harness.submit(body);
  await waitFor(
    () => harness.store.completedTrials(record.id),
    (n) => n > 0,
    30_000,
    'the experiment to run',
  );
  const cancelledAt = Date.now();
  await harness.service.cancel((await harness.store.get(record.id))!);
  const aborted = await waitFor(
    async () =>
      w.logs.filter((l) => l.msg === 'task aborted: experiment cancelled' && l.experimentId === record.id)
        .length,
    (n) => n > 0,
    5_000,
    'the worker to abort',
  );
  assert.ok(aborted > 0);
  // The bar is one second from the cancel to the abort in the other process; the 50 ms
  // polling of this test and a loaded CI machine get half a second of slack.
  assert.ok(Date.now() - cancelledAt < 1500, `abort took ${Date.now() - cancelledAt} ms`);
  const progressThen = await harness.store.completedTrials(record.id);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await harness.store.completedTrials(record.id), progressThen, 'no progress after the cancel');
  assert.equal((await harness.store.get(record.id))!.status, 'cancelled');
  w.child.kill('SIGTERM');
  assert.equal(await w.exited, 0);
});

test('a worker of another engine leaves an experiment queued; one of its engine runs it as fbstab run does', async () => {
  // docs/theory.md §12: the JS and wasm kernels are different engines (their FFTs round
  // differently), so each uses its own queues on the shared Redis.
  const jsApi = await createServiceHarness(redis.url, { FBSTAB_KERNEL: 'js' });
  const other = startWorkerProcess({ ...workerEnv(), FBSTAB_KERNEL: 'wasm', WORKER_CONCURRENCY: '1' });
  workers.push(other);
  await other.ready;
  const body = {
    type: 'frame-bounds',
    seed: 23,
    trials: 300,
    filterbank: { numFilters: 6, filterLengths: [16, 128] },
  };
  const record = await jsApi.submit(body);
  assert.match(record.engineVersion!, /\.js$/);
  // Long enough for an idle worker to pick a waiting job many times over (it polls on events).
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await jsApi.store.get(record.id))!.status, 'queued');
  const own = startWorkerProcess({ ...workerEnv(), FBSTAB_KERNEL: 'js', WORKER_CONCURRENCY: '1' });
  workers.push(own);
  await own.ready;
  const done = await finish(record.id, 60_000);
  assert.equal(done!.status, 'succeeded');
  const result = await jsApi.store.getResult(record.id);
  assert.deepEqual(result, expected(body, 23, 'js'));
  assert.match((result as { engineVersion: string }).engineVersion, /\.js$/);
  assert.equal(
    other.logs.filter((l) => l.experimentId === record.id).length,
    0,
    'the wasm worker took no task',
  );
  other.child.kill('SIGTERM');
  own.child.kill('SIGTERM');
  assert.equal(await other.exited, 0);
  assert.equal(await own.exited, 0);
  await jsApi.close();
});
