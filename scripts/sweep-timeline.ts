// Where the 16-cell sweep of `npm run bench:sweep` spends its time, on n worker processes
// (WORKER_CONCURRENCY=1 each): when the flow was expanded, when the first and the last task
// ended, when the experiment succeeded, and the sum, median and largest of the tasks' own
// durations (from the workers' debug logs). Comparing n = 1 and n = 2 separates the serial part
// (expansion, assembly) from tasks that run slower side by side.
//
//   npm run build && node --import tsx scripts/sweep-timeline.ts 2
import { startSweepWorker, succeeded, sweepRequest } from '../bench/sweep/sweep-worker.js';
import { LOG_FLUSH_INTERVAL_MS } from '../src/logger.js';
import { startRedis } from '../test/support/redis-server.js';
import { createServiceHarness } from '../test/support/service-harness.js';

const body = sweepRequest(1500);
const workerCount = Number(process.argv[2] ?? 1);

interface LogLine {
  at: number;
  msg: string;
  ms: number | undefined;
}
const lines: LogLine[] = [];

/** Keeps the workers' log lines with their times. */
function keep(text: string): void {
  const line = JSON.parse(text) as { time: string; msg: string; ms?: number };
  lines.push({ at: Date.parse(line.time), msg: line.msg, ms: line.ms });
}

const redis = await startRedis();
const harness = await createServiceHarness(redis.url);
const workers = await Promise.all(
  Array.from({ length: workerCount }, () => startSweepWorker(redis.url, 'debug', keep)),
);
const warm = await harness.submit({ ...body, trials: 30 });
await succeeded(harness, warm.id, 60_000, 'warm-up');
lines.length = 0;
const started = Date.now();
const record = await harness.submit(body);
await succeeded(harness, record.id, 600_000, 'the sweep', 5);
const total = Date.now() - started;
// The last log lines: a worker writes its lines every LOG_FLUSH_INTERVAL_MS.
await new Promise((r) => setTimeout(r, 2 * LOG_FLUSH_INTERVAL_MS));
const since = (msg: string) => {
  const line = lines.find((l) => l.msg === msg);
  return line === undefined ? 'n/a' : `${line.at - started} ms`;
};
const tasks = lines.filter((l) => l.msg === 'task done').map((l) => l.ms ?? 0);
const doneAt = lines.filter((l) => l.msg === 'task done').map((l) => l.at - started);
const sorted = [...tasks].sort((a, b) => a - b);
console.log(`${workerCount} worker process(es), ${tasks.length} tasks; from submission:`);
console.log(`  expanded ${since('experiment expanded')}, first task done ${Math.min(...doneAt)} ms,`);
console.log(
  `  last task done ${Math.max(...doneAt)} ms, succeeded ${since('experiment succeeded')}, seen ${total} ms`,
);
console.log(
  `  task durations: sum ${tasks.reduce((a, b) => a + b, 0)} ms, median ${sorted[sorted.length >> 1]} ms, ` +
    `largest ${sorted.slice(-5).reverse().join(', ')} ms`,
);
for (const child of workers) child.kill('SIGTERM');
await harness.close();
await redis.stop();
