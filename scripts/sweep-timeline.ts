// Where the 16-cell sweep of `npm run bench:sweep` spends its time, on n worker processes
// (WORKER_CONCURRENCY=1 each): when the flow was expanded, when the first and the last task
// ended, when the experiment succeeded, and the sum, median and largest of the tasks' own
// durations (from the workers' debug logs). Comparing n = 1 and n = 2 separates the serial part
// (expansion, assembly) from tasks that run slower side by side.
//
//   npm run build && node --import tsx scripts/sweep-timeline.ts 2
import { startSweepWorker, succeeded, sweepRequest, warmUpRequest } from '../bench/sweep/sweep-worker.js';
import { LOG_FLUSH_INTERVAL_MS } from '../src/logger.js';
import { startRedis } from '../test/support/redis-server.js';
import { createServiceHarness } from '../test/support/service-harness.js';

const body = sweepRequest(1500);
const workerCount = Number(process.argv[2] ?? 1);

interface LogLine {
  at: number;
  msg: string;
  ms: number | undefined;
  experimentId: string | undefined;
}
const lines: LogLine[] = [];

/** Keeps the workers' log lines with their times. */
function keep(text: string): void {
  const line = JSON.parse(text) as { time: string; msg: string; ms?: number; experimentId?: string };
  lines.push({ at: Date.parse(line.time), msg: line.msg, ms: line.ms, experimentId: line.experimentId });
}

const redis = await startRedis();
const harness = await createServiceHarness(redis.url);
const workers = await Promise.all(
  Array.from({ length: workerCount }, () => startSweepWorker(redis.url, 'debug', keep)),
);
const warm = await harness.submit(warmUpRequest());
await succeeded(harness, warm.id, 60_000, 'warm-up');
const started = Date.now();
const record = await harness.submit(body);
await succeeded(harness, record.id, 600_000, 'the sweep', 5);
const total = Date.now() - started;
// The last log lines: a worker writes its lines every LOG_FLUSH_INTERVAL_MS.
await new Promise((r) => setTimeout(r, 2 * LOG_FLUSH_INTERVAL_MS));
// The sweep's lines only (the warm-up's last lines may arrive after it ended).
const sweepLines = lines.filter((l) => l.experimentId === record.id);
const since = (msg: string) => {
  const line = sweepLines.find((l) => l.msg === msg);
  return line === undefined ? 'n/a' : `${line.at - started} ms`;
};
const tasks = sweepLines.filter((l) => l.msg === 'task done').map((l) => l.ms ?? 0);
const doneAt = sweepLines.filter((l) => l.msg === 'task done').map((l) => l.at - started);
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
