// `npm run bench:sweep`: a 16-cell frame-bounds sweep on one worker process, then on two
// (WORKER_CONCURRENCY=1 each), sharing one private redis-server; prints the speed-up. This is
// how the service scales: more worker processes on one Redis (the target is ≥ 1.8× with two, in
// each of three runs). This machine's speed drifts by tens of percent within a minute, so the
// two set-ups alternate for `--rounds` rounds (3 by default) and the best time of each counts,
// as in the other benches; every round is printed.
//   npm run bench:sweep -- [--rounds 3]
import { parseArgs } from 'node:util';
import { startSweepWorker, succeeded, sweepRequest, warmUpRequest } from '../bench/sweep/sweep-worker.js';
import { startRedis } from '../test/support/redis-server.js';
import { createServiceHarness } from '../test/support/service-harness.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(args.rounds);
const body = sweepRequest(1500);

const redis = await startRedis();
const harness = await createServiceHarness(redis.url);

async function timeSweep(workerCount: number, round: number): Promise<number> {
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () => startSweepWorker(redis.url, 'info')),
  );
  // Warm-up: the same kernels on other theory, so every process has compiled its hot paths and
  // none has the timed sweep's theory in hand (warmUpRequest says why).
  const warmRecord = await harness.submit(warmUpRequest());
  await succeeded(harness, warmRecord.id, 60_000, 'warm-up');
  const started = performance.now();
  // A seed per round: the same work, not a repeat of the same request.
  const record = await harness.submit({ ...body, seed: body.seed + round });
  await succeeded(harness, record.id, 600_000, 'the sweep');
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(
    workers.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))),
  );
  return seconds;
}

const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
for (let round = 0; round < rounds; round++) {
  times[1].push(await timeSweep(1, round));
  times[2].push(await timeSweep(2, round));
}
const best = (list: number[]) => Math.min(...list);
const list = (values: number[]) => values.map((s) => s.toFixed(2)).join(', ');
const speedUp = best(times[1]) / best(times[2]);
console.log(
  `16-cell sweep (${body.trials} trials per cell), WORKER_CONCURRENCY=1 per process, ${rounds} alternating rounds, best of each`,
);
console.log(`  1 worker process : ${best(times[1]).toFixed(2)} s   (rounds: ${list(times[1])})`);
console.log(`  2 worker processes: ${best(times[2]).toFixed(2)} s   (rounds: ${list(times[2])})`);
console.log(
  `  speed-up          : ${speedUp.toFixed(2)}×   target ≥ 1.8× ${speedUp >= 1.8 ? 'PASS' : 'MISS'}`,
);
await harness.close();
await redis.stop();
