// `npm run bench:api`: the API's throughput and p99 on loopback as ratios to a bare Fastify app
// (bench/api/bare-fastify-app.ts: same Fastify, same ioredis) measured in the same run, in
// alternating rounds, because this machine's speed drifts 2–3× between hours. The API runs alone
// (its worker is stopped once one experiment has finished), against a private redis-server.
// Then it counts what one POST and one GET cost (Redis commands, API CPU time) and profiles each
// path with --cpu-prof, printing where the time goes.
//   node --import tsx scripts/bench-api.ts [--rounds 2] [--seconds 5] [--no-profile]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { summariseCpuProfile } from '../bench/api/cpu-profile-summary.js';
import { freePort, startRedis } from '../test/support/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '5' },
    'no-profile': { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const CONNECTIONS = 20;

/** Starts a node process and resolves once `url` answers 200. Its output goes nowhere. */
async function start(nodeArgs: string[], env: Record<string, string>, url?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', url === undefined ? 'pipe' : 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  if (url === undefined) {
    // A worker serves no HTTP: wait for its ready line.
    await new Promise<void>((resolve) =>
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('workers ready')) resolve();
      }),
    );
    return child;
  }
  for (;;) {
    if (exited) throw new Error(`${nodeArgs.join(' ')} exited before it was ready`);
    try {
      if ((await fetch(url)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const redisServer = await startRedis();
const redis = new Redis(redisServer.url);
const apiPort = await freePort();
const barePort = await freePort();
const apiEnv = {
  REDIS_URL: redisServer.url,
  PORT: String(apiPort),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  // The bench measures the API, not the limiter: no rate limit, and room for every POST.
  RATE_LIMIT_PER_MINUTE: '0',
  MAX_QUEUE_DEPTH: '100000000',
  // Two keys: the POST load queues thousands of experiments under the first, which would
  // otherwise fill the lists measured under the second (docs/api.md "Views").
  API_KEYS: 'bench-key-0123456789,bench-lists-0123456789',
};
const api = `http://127.0.0.1:${apiPort}`;
const bare = `http://127.0.0.1:${barePort}`;
const small = JSON.stringify({
  type: 'frame-bounds',
  seed: 1,
  trials: 5,
  filterbank: { numFilters: 4, filterLengths: [4] },
  signalLength: 64,
});
const auth = { authorization: 'Bearer bench-key-0123456789' };
const listAuth = { authorization: 'Bearer bench-lists-0123456789' };
const json = { 'content-type': 'application/json', ...auth };

let apiProcess = await start(['dist/src/server.js'], apiEnv, `${api}/healthz`);
// One finished experiment to GET; then the worker stops, so the API is measured alone.
const worker = await start(['dist/workers/experiment-worker.js'], { ...apiEnv, WORKER_CONCURRENCY: '1' });
const created = (await (
  await fetch(`${api}/v1/experiments`, { method: 'POST', body: small, headers: json })
).json()) as {
  id: string;
};
for (let i = 0; ; i++) {
  const r = (await (await fetch(`${api}/v1/experiments/${created.id}`, { headers: auth })).json()) as {
    status: string;
  };
  if (r.status === 'succeeded') break;
  if (i > 600) throw new Error('the experiment did not finish');
  await new Promise((res) => setTimeout(res, 100));
}
// 60 more finished experiments for the list routes (docs/api.md "Views", "Changes").
const LISTED = 60;
for (let i = 0; i < LISTED; i++)
  await fetch(`${api}/v1/experiments`, { method: 'POST', body: small, headers: { ...json, ...listAuth } });
for (let i = 0; ; i++) {
  const r = (await (
    await fetch(`${api}/v1/experiments?limit=100&status=succeeded`, { headers: listAuth })
  ).json()) as {
    items: unknown[];
  };
  if (r.items.length >= LISTED) break;
  if (i > 1200) throw new Error('the listed experiments did not finish');
  await new Promise((res) => setTimeout(res, 100));
}
await stop(worker);
const firstPage = await fetch(`${api}/v1/experiments?limit=20`, { headers: listAuth });
const listEtag = firstPage.headers.get('etag')!;
const listed = (await firstPage.json()) as { items: unknown[]; changeToken: string };
const itemBytes = listed.items.map((item) => Buffer.byteLength(JSON.stringify(item)));
const bareProcess = await start(
  ['--import', 'tsx', 'bench/api/bare-fastify-app.ts'],
  { REDIS_URL: redisServer.url, PORT: String(barePort) },
  `${bare}/blob/baseline`,
);

const routes = {
  'POST (small experiment)': {
    api: { url: `${api}/v1/experiments`, method: 'POST' as const, body: small, headers: json },
    bare: { url: `${bare}/echo`, method: 'POST' as const, body: small, headers: json },
    target: { ratio: 0.2, p99: 50 },
  },
  'GET (finished experiment)': {
    api: { url: `${api}/v1/experiments/${created.id}`, method: 'GET' as const, headers: auth },
    bare: { url: `${bare}/blob/baseline`, method: 'GET' as const },
    target: { ratio: 0.4, p99: 20 },
  },
  'GET list ?limit=20 (summ.)': {
    api: { url: `${api}/v1/experiments?limit=20`, method: 'GET' as const, headers: listAuth },
    bare: { url: `${bare}/blob/baseline`, method: 'GET' as const },
    target: { ratio: 0.25, p99: 30 },
  },
  'GET ?changedSince, no change': {
    api: {
      url: `${api}/v1/experiments?changedSince=${listed.changeToken}`,
      method: 'GET' as const,
      headers: listAuth,
    },
    bare: { url: `${bare}/blob/baseline`, method: 'GET' as const },
    target: { ratio: 0.4, p99: Infinity },
  },
  'GET list If-None-Match (304)': {
    api: {
      url: `${api}/v1/experiments?limit=20`,
      method: 'GET' as const,
      headers: { ...listAuth, 'if-none-match': listEtag },
    },
    bare: { url: `${bare}/blob/baseline`, method: 'GET' as const },
    target: { ratio: 0.4, p99: Infinity },
  },
};
/** The routes of issue 14's scaling measure (API_PROCESSES 1 → 2). */
const scalingRoutes = ['POST (small experiment)', 'GET (finished experiment)'];

const load = (target: autocannon.Options, duration: number) =>
  autocannon({ ...target, duration, connections: CONNECTIONS });

// Warm the JIT and the connection pools of both processes.
for (const route of Object.values(routes)) {
  await load(route.api, 2);
  await load(route.bare, 2);
}

type Best = { rps: number; p99: number; failures: number };
const best: Record<string, { api: Best; bare: Best }> = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, route] of Object.entries(routes)) {
    for (const side of ['bare', 'api'] as const) {
      const r = await load(route[side], seconds);
      const entry = (best[name] ??= {
        api: { rps: 0, p99: Infinity, failures: 0 },
        bare: { rps: 0, p99: Infinity, failures: 0 },
      });
      // A 304 is the expected answer of the If-None-Match route, not a failure.
      entry[side].failures += (name.includes('304') && side === 'api' ? 0 : r.non2xx) + r.errors;
      if (r.requests.average > entry[side].rps)
        entry[side] = { rps: r.requests.average, p99: r.latency.p99, failures: entry[side].failures };
    }
  }
}

console.log(
  `fbstab bench:api — loopback, ${CONNECTIONS} connections, ${rounds} alternating rounds of ${seconds} s, best of each; API alone`,
);
console.log('route                        fbstab req/s   p99   bare Fastify req/s   p99   ratio   target');
const largestItem = Math.max(...itemBytes);
console.log(
  `list items (summaries, ${LISTED} experiments stored): largest ${largestItem} bytes   target < 2048 ${largestItem < 2048 ? 'PASS' : 'MISS'}`,
);
for (const [name, route] of Object.entries(routes)) {
  const { api: a, bare: b } = best[name]!;
  const ratio = a.rps / b.rps;
  const met = ratio >= route.target.ratio && a.p99 < route.target.p99;
  console.log(
    `${name.padEnd(28)} ${a.rps.toFixed(0).padStart(12)} ${String(a.p99).padStart(5)} ms ${b.rps.toFixed(0).padStart(18)} ${String(b.p99).padStart(5)} ms ${(100 * ratio).toFixed(0).padStart(5)} %   ≥ ${100 * route.target.ratio} %${Number.isFinite(route.target.p99) ? `, p99 < ${route.target.p99} ms` : ''} ${met ? 'PASS' : 'MISS'}` +
      (a.failures + b.failures > 0 ? `   (non-2xx or errors: ${a.failures} / ${b.failures})` : ''),
  );
}

/** CPU seconds (user + system) the process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** Redis commands by name executed so far. */
async function commandCounts(): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map(
    [...info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])] as [string, number]),
  );
}

async function costOf(
  name: string,
  target: { url: string; method: string; body?: string; headers?: Record<string, string> },
) {
  const n = 300;
  const commandsBefore = await commandCounts();
  const cpuBefore = cpuSeconds(apiProcess.pid!);
  for (let i = 0; i < n; i++) {
    const init: RequestInit = { method: target.method };
    if (target.body !== undefined) init.body = target.body;
    if (target.headers !== undefined) init.headers = target.headers;
    await (await fetch(target.url, init)).arrayBuffer();
  }
  const cpu = (cpuSeconds(apiProcess.pid!) - cpuBefore) / n;
  const after = await commandCounts();
  const perRequest = [...after]
    .map(([command, calls]) => [command, (calls - (commandsBefore.get(command) ?? 0)) / n] as const)
    .filter(([command, calls]) => calls > 0 && command !== 'info')
    .sort((a, b) => b[1] - a[1]);
  const total = perRequest.reduce((sum, [, calls]) => sum + calls, 0);
  console.log(
    `${name}: ${(cpu * 1000).toFixed(2)} ms of API CPU and ${total.toFixed(1)} Redis commands per request (${perRequest
      .map(([command, calls]) => `${command} ${calls.toFixed(1)}`)
      .join(', ')}), one request at a time`,
  );
}

console.log('');
for (const [name, route] of Object.entries(routes)) await costOf(name, route.api);

if (!args['no-profile']) {
  // The API restarts with a preload that profiles between two SIGUSR2s: the load window only.
  await stop(apiProcess);
  const dir = mkdtempSync(join(tmpdir(), 'fbstab-prof-'));
  const profileFile = join(dir, 'window.cpuprofile');
  apiProcess = await start(
    ['--import', './bench/api/profile-window.mjs', 'dist/src/server.js'],
    { ...apiEnv, FBSTAB_PROFILE_FILE: profileFile },
    `${api}/healthz`,
  );
  for (const [name, route] of Object.entries(routes)) {
    await load(route.api, 2);
    apiProcess.kill('SIGUSR2');
    await load(route.api, seconds);
    apiProcess.kill('SIGUSR2');
    while (!existsSync(profileFile)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    const summary = summariseCpuProfile(profileFile);
    rmSync(profileFile);
    console.log(
      `\nprofile of the API under ${name} load (${summary.busyMs.toFixed(0)} ms busy in ${seconds} s), self time by origin:`,
    );
    console.log(
      '  ' + summary.origins.map(([origin, share]) => `${origin} ${(100 * share).toFixed(0)} %`).join(', '),
    );
    console.log('  top functions:');
    for (const [fn, share] of summary.functions)
      console.log(`  ${(100 * share).toFixed(1).padStart(5)} %  ${fn}`);
  }
}

// Scaling out: 1 and 2 API processes (API_PROCESSES) on one port, with one worker running.
await stop(apiProcess);
const scalingWorker = await start(['dist/workers/experiment-worker.js'], {
  ...apiEnv,
  WORKER_CONCURRENCY: '1',
});
const scaling: Record<number, Record<string, autocannon.Result>> = {};
for (const processes of [1, 2]) {
  apiProcess = await start(
    ['dist/src/server.js'],
    { ...apiEnv, API_PROCESSES: String(processes) },
    `${api}/healthz`,
  );
  // Wait until every process of the group listens: the primary answers nothing itself.
  await new Promise((r) => setTimeout(r, 1500));
  scaling[processes] = {};
  for (const name of scalingRoutes) {
    const route = routes[name as keyof typeof routes];
    await load(route.api, 1);
    scaling[processes]![name] = await load(route.api, seconds);
  }
  await stop(apiProcess);
}
await stop(scalingWorker);
console.log('\nscaling out, one worker running: API_PROCESSES=1 → 2');
for (const name of scalingRoutes) {
  const one = scaling[1]![name]!;
  const two = scaling[2]![name]!;
  console.log(
    `  ${name.padEnd(28)} ${one.requests.average.toFixed(0).padStart(6)} → ${two.requests.average.toFixed(0).padStart(6)} req/s (${(two.requests.average / one.requests.average).toFixed(2)}×), p99 ${one.latency.p99} → ${two.latency.p99} ms`,
  );
}

await stop(bareProcess);
redis.disconnect();
await redisServer.stop();
