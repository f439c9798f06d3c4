// `npm run bench:sweep`: a 16-cell frame-bounds sweep on one worker process, then on two
// (WORKER_CONCURRENCY=1 each), sharing one private redis-server; prints the speed-up. This is
// how the service scales: more worker processes on one Redis (the target is ≥ 1.8× with two, in each of three runs).
import { startSweepWorker, succeeded, sweepRequest } from '../bench/sweep/sweep-worker.js';
import { startRedis } from '../test/support/redis-server.js';
import { createServiceHarness } from '../test/support/service-harness.js';

const body = sweepRequest(1500);

const redis = await startRedis();
const harness = await createServiceHarness(redis.url);

async function timeSweep(workerCount: number): Promise<number> {
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () => startSweepWorker(redis.url, 'info')),
  );
  // Warm-up: one small experiment so both processes have compiled their hot paths.
  const warm = { ...body, trials: 30 };
  const warmRecord = await harness.submit(warm);
  await succeeded(harness, warmRecord.id, 60_000, 'warm-up');
  const started = performance.now();
  const record = await harness.submit(body);
  await succeeded(harness, record.id, 600_000, 'the sweep');
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(
    workers.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))),
  );
  return seconds;
}

const one = await timeSweep(1);
const two = await timeSweep(2);
console.log(`16-cell sweep (${body.trials} trials per cell), WORKER_CONCURRENCY=1 per process`);
console.log(`  1 worker process : ${one.toFixed(2)} s`);
console.log(`  2 worker processes: ${two.toFixed(2)} s`);
console.log(`  speed-up          : ${(one / two).toFixed(2)}× (target ≥ 1.8×)`);
await harness.close();
await redis.stop();
