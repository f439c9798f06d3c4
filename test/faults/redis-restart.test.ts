// Fault: Redis (AOF on) killed and restarted while experiments are queued and running. The API
// reports the outage and answers 503 quickly; once Redis is back every accepted experiment
// completes, with the result fbstab run gives.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { kernelPreferenceFromEnvironment } from '../../src/config.js';
import { experimentRequestSchema } from '../../src/experiments/experiment-request.js';
import { runExperiment } from '../../src/experiments/run-experiment.js';
import { startStack, type Stack } from '../api/helpers.js';
import { startRedis } from '../support/redis-server.js';
import { waitFor } from '../support/service-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let stack: Stack;
let worker: WorkerProcess;

before(async () => {
  // appendfsync always: every acknowledged write is on disk before Redis dies.
  const server = await startRedis({ appendOnly: true });
  stack = await startStack({ server });
  worker = startWorkerProcess({
    REDIS_URL: server.url,
    WORKER_CONCURRENCY: '2',
    // Short locks so that tasks whose completion was lost in the outage are retried quickly.
    JOB_LOCK_MS: '2000',
    STALLED_INTERVAL_MS: '1000',
  });
  await worker.ready;
});

after(async () => {
  if (worker.child.exitCode === null) {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  await stack.close();
  await stack.server.stop();
});

const bodies = [0, 1, 2].map((i) => ({
  type: 'frame-bounds',
  seed: 100 + i,
  trials: 3000,
  filterbank: { numFilters: [10, 40], filterLengths: [256, 1024] },
}));

test('Redis killed and restarted mid-run: /readyz and POST report it at once; every accepted experiment completes', async () => {
  const server = stack.server;
  const ids: string[] = [];
  for (const body of bodies) {
    const res = await request(stack.app.server).post('/v1/experiments').send(body).expect(202);
    ids.push(res.body.id as string);
  }
  // Wait until the first is running, so the outage hits queued and running work alike.
  await waitFor(
    async () =>
      (await request(stack.app.server).get(`/v1/experiments/${ids[0]}`)).body.progress?.completedTrials ?? 0,
    (n: number) => n > 0,
    30_000,
    'the first experiment to run',
  );
  await server.stop({ kill: true });

  // The API's connection has no offline queue and a 3 s command timeout: 5 s bounds an answer.
  for (const send of [
    () => request(stack.app.server).get('/readyz'),
    () => request(stack.app.server).post('/v1/experiments').send(bodies[0]),
  ]) {
    const started = Date.now();
    const res = await send();
    assert.equal(res.status, 503, res.text);
    assert.ok(res.headers['retry-after'] !== undefined);
    assert.ok(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
  }

  await new Promise((r) => setTimeout(r, 1000));
  await server.restart();
  await waitFor(
    async () => (await request(stack.app.server).get('/readyz')).status,
    (s: number) => s === 200,
    15_000,
    '/readyz',
  );

  for (const [i, id] of ids.entries()) {
    const done = await waitFor(
      async () =>
        (await request(stack.app.server).get(`/v1/experiments/${id}`)).body as {
          status?: string;
          error?: unknown;
          result?: unknown;
          progress: { completedTrials: number; totalTrials: number };
        },
      (b) => b.status === 'succeeded' || b.status === 'failed',
      120_000,
      `experiment ${i} to finish`,
    );
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    const seeded = { ...experimentRequestSchema.parse(bodies[i]), seed: bodies[i]!.seed };
    assert.deepEqual(
      done.result,
      JSON.parse(
        JSON.stringify(
          runExperiment(seeded, undefined, undefined, undefined, kernelPreferenceFromEnvironment()),
        ),
      ),
      `result ${i}`,
    );
    assert.equal(done.progress.completedTrials, done.progress.totalTrials);
  }
  assert.equal(worker.child.exitCode, null, 'the worker survived the outage');
});
