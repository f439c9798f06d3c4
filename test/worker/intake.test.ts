// The intake (docs/architecture.md "Submission"): a POST writes the record and its intake entry
// in one script; workers claim entries with a lease and expand them into flows. Real Redis,
// real worker processes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { engineVersion } from '../../src/core/wasm/engine-version.js';
import { ExperimentIntake } from '../../src/store/experiment-intake.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { createServiceHarness, waitFor, type ServiceHarness } from '../support/service-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let redis: TestRedis;
let harness: ServiceHarness;
let intake: ExperimentIntake;
const workers: WorkerProcess[] = [];
const small = (seed: number) => ({
  type: 'frame-bounds',
  seed,
  trials: 20,
  signalLength: 64,
  filterbank: { numFilters: 4, filterLengths: [4, 8] },
});

before(async () => {
  redis = await startRedis();
  harness = await createServiceHarness(redis.url);
  intake = new ExperimentIntake(harness.redis, engineVersion(harness.config.FBSTAB_KERNEL));
});

after(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await harness.close();
  await redis.stop();
});

const status = async (id: string) => (await harness.store.get(id))?.status;

test('submissions made while no worker runs wait in the intake, and run once a worker starts', async () => {
  const records = [];
  for (let seed = 1; seed <= 3; seed++) records.push(await harness.submit(small(seed)));
  assert.equal(await intake.size(), 3);
  for (const r of records) assert.equal(await status(r.id), 'queued');

  const worker = startWorkerProcess({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '1' });
  workers.push(worker);
  await worker.ready;
  for (const r of records)
    await waitFor(
      () => status(r.id),
      (s) => s === 'succeeded',
      30_000,
      `experiment ${r.id} to succeed`,
    );
  assert.equal(await intake.size(), 0, 'expanded entries leave the intake');

  // With a worker running, a submission is announced and claimed at once, not at the next poll.
  const record = await harness.submit(small(4));
  await waitFor(
    () => status(record.id),
    (s) => s === 'succeeded',
    30_000,
    'the announced experiment',
  );
  assert.equal(await intake.size(), 0);
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0);
});

test('an entry leased by a worker that died is claimed again once its lease ends', async () => {
  const record = await harness.submit(small(5));
  // A "worker" claims it and dies before expanding it: nothing removes the entry.
  assert.deepEqual(await intake.claim(1500, 10), [record.id]);
  const leasedUntil = Date.now() + 1500;
  const worker = startWorkerProcess({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '1' });
  workers.push(worker);
  await worker.ready;
  if (Date.now() < leasedUntil - 200)
    assert.equal(await status(record.id), 'queued', 'the lease holds it back');
  await waitFor(
    () => status(record.id),
    (s) => s === 'succeeded',
    30_000,
    'the experiment to run after the lease',
  );
  const startedAt = Date.parse((await harness.store.get(record.id))!.startedAt!);
  assert.ok(startedAt >= leasedUntil - 100, 'it started only after the lease ended');
  assert.equal(await intake.size(), 0);
  worker.child.kill('SIGTERM');
  await worker.exited;
});

test('a cancelled submission leaves the intake without running', async () => {
  const record = await harness.submit(small(6));
  await harness.service.cancel(record);
  const worker = startWorkerProcess({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '1' });
  workers.push(worker);
  await worker.ready;
  await waitFor(
    () => intake.size(),
    (n) => n === 0,
    10_000,
    'the intake to empty',
  );
  assert.equal(await status(record.id), 'cancelled');
  assert.equal(await harness.store.completedTrials(record.id), 0);
  worker.child.kill('SIGTERM');
  await worker.exited;
});
