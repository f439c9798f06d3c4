// Fault: SIGTERM to the API and to a worker. In-flight requests finish, the worker finishes or
// hands back what it holds, both exit 0, and no accepted experiment is lost.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kernelPreferenceFromEnvironment } from '../../src/config.js';
import { experimentRequestSchema } from '../../src/experiments/experiment-request.js';
import { runExperiment } from '../../src/experiments/run-experiment.js';
import { freePort, startRedis, type TestRedis } from '../support/redis-server.js';
import { createServiceHarness, waitFor, type ServiceHarness } from '../support/service-harness.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let redis: TestRedis;
let harness: ServiceHarness;
const workers: WorkerProcess[] = [];

before(async () => {
  redis = await startRedis();
  harness = await createServiceHarness(redis.url);
});
after(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await harness.close();
  await redis.stop();
});

const workerEnv = () => ({
  REDIS_URL: redis.url,
  WORKER_CONCURRENCY: '2',
  JOB_LOCK_MS: '2000',
  STALLED_INTERVAL_MS: '1000',
});

test('SIGTERM to the API while 40 POSTs are in flight: every one is answered 202 and stored; exit 0', async () => {
  const port = await freePort();
  const api = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => api.on('exit', resolve));
  let stderr = '';
  api.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let lastLogs = '';
  api.stdout.on('data', (c: Buffer) => (lastLogs = (lastLogs + c.toString()).slice(-3000)));
  await new Promise<void>((resolve) =>
    api.stdout.on('data', (c: Buffer) => c.toString().includes('Server listening') && resolve()),
  );
  const body = {
    type: 'frame-bounds',
    trials: 20,
    signalLength: 64,
    filterbank: { numFilters: 4, filterLengths: [4] },
  };
  const posts = Array.from({ length: 40 }, () =>
    fetch(`http://127.0.0.1:${port}/v1/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, id: ((await r.json()) as { id: string }).id })),
  );
  // Signal once the requests are on the wire, before they are answered.
  await new Promise((r) => setTimeout(r, 20));
  api.kill('SIGTERM');
  const answers = await Promise.allSettled(posts);
  const accepted = answers.filter((a) => a.status === 'fulfilled' && a.value.status === 202);
  // Requests that reached the server before the signal are answered; any that arrived after the
  // listener closed are refused at connect time, never half-answered.
  for (const a of answers) {
    if (a.status === 'fulfilled') assert.equal(a.value.status, 202);
    else
      assert.match(
        String((a.reason as Error).cause ?? a.reason),
        /ECONNREFUSED|ECONNRESET|other side closed/,
      );
  }
  assert.ok(accepted.length > 0, 'some requests were in flight');
  assert.equal(await exited, 0, `${stderr}\n${lastLogs}`);
  for (const a of accepted) {
    const id = (a as PromiseFulfilledResult<{ id: string }>).value.id;
    assert.ok((await harness.store.get(id)) !== undefined, `experiment ${id} was stored`);
  }
});

test('SIGTERM to a busy worker: it exits 0, and the experiment completes elsewhere with the identical result', async () => {
  const first = startWorkerProcess(workerEnv());
  workers.push(first);
  await first.ready;
  const body = {
    type: 'frame-bounds',
    seed: 8,
    trials: 5000,
    filterbank: { numFilters: 40, filterLengths: [512, 1024] },
  };
  const record = await harness.submit(body);
  await waitFor(
    () => harness.store.completedTrials(record.id),
    (n) => n > 0,
    30_000,
    'the worker to start',
  );
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0, 'graceful exit');
  const stateAtExit = await harness.store.get(record.id);
  assert.notEqual(stateAtExit!.status, 'failed');
  const second = startWorkerProcess(workerEnv());
  workers.push(second);
  const done = await waitFor(
    () => harness.store.get(record.id),
    (r) => r?.status === 'succeeded',
    90_000,
    'the experiment',
  );
  assert.ok(done !== undefined);
  const expected = JSON.parse(
    JSON.stringify(
      runExperiment(
        { ...experimentRequestSchema.parse(body), seed: 8 },
        undefined,
        undefined,
        undefined,
        kernelPreferenceFromEnvironment(),
      ),
    ),
  );
  assert.deepEqual(await harness.store.getResult(record.id), expected);
  assert.equal(await harness.store.completedTrials(record.id), record.totalTrials);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});
