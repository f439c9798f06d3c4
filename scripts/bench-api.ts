// `npm run bench:api`: the API's throughput and p99 on loopback, with one worker running, against
// a private redis-server. It measures POST of a small experiment and GET of a finished one with
// autocannon, for a bounded time each. Targets on the 2-core machine: POST ≥ 1000 req/s with
// p99 < 50 ms; GET ≥ 4000 req/s with p99 < 20 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startRedis } from '../test/support/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function start(script: string, env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes(readyText)) resolve(child);
    });
  });
}

const redis = await startRedis();
const port = await freePort();
const env = {
  REDIS_URL: redis.url,
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  // The bench measures the API, not the limiter: no rate limit, and room for every POST.
  RATE_LIMIT_PER_MINUTE: '0',
  MAX_QUEUE_DEPTH: '1000000',
};
const api = await start('dist/src/server.js', env, 'Server listening');
const worker = await start(
  'dist/workers/experiment-worker.js',
  { ...env, WORKER_CONCURRENCY: '1' },
  'workers ready',
);
const base = `http://127.0.0.1:${port}`;
const small = JSON.stringify({
  type: 'frame-bounds',
  seed: 1,
  trials: 5,
  filterbank: { numFilters: 4, filterLengths: [4] },
  signalLength: 64,
});

const report = (name: string, r: autocannon.Result, target: { rps: number; p99: number }) => {
  const ok = r.non2xx === 0 && r.errors === 0;
  console.log(
    `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p99 ${String(r.latency.p99).padStart(4)} ms` +
      `   (target ≥ ${target.rps} req/s, p99 < ${target.p99} ms)${ok ? '' : `   non-2xx ${r.non2xx}, errors ${r.errors}`}`,
  );
};

// Warm the JIT and the connection pools.
await autocannon({
  url: `${base}/v1/experiments`,
  method: 'POST',
  body: small,
  headers: { 'content-type': 'application/json' },
  duration: 2,
  connections: 10,
});
const post = await autocannon({
  url: `${base}/v1/experiments`,
  method: 'POST',
  body: small,
  headers: { 'content-type': 'application/json' },
  duration: seconds,
  connections: 20,
});

const created = (await (
  await fetch(`${base}/v1/experiments`, {
    method: 'POST',
    body: small,
    headers: { 'content-type': 'application/json' },
  })
).json()) as { id: string };
for (let i = 0; ; i++) {
  const r = (await (await fetch(`${base}/v1/experiments/${created.id}`)).json()) as { status: string };
  if (r.status === 'succeeded') break;
  if (i > 6000) throw new Error('the experiment did not finish');
  await new Promise((res) => setTimeout(res, 100));
}
const get = await autocannon({
  url: `${base}/v1/experiments/${created.id}`,
  duration: seconds,
  connections: 20,
});

console.log(`fbstab bench:api — loopback, ${seconds} s each, 20 connections, one worker running`);
report('POST /v1/experiments (small)', post, { rps: 1000, p99: 50 });
report('GET /v1/experiments/{id} (done)', get, { rps: 4000, p99: 20 });

for (const child of [api, worker]) {
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
}
await redis.stop();
