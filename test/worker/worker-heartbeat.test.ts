// The image's health check (src/container-healthcheck.ts) against real processes: a worker
// process writing its heartbeat next to a real redis-server, and a real API on HTTP.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startStack } from '../api/helpers.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// 200 ms beats: the check calls a heartbeat stale after 4 intervals (800 ms), so each change of
// state shows within a few seconds instead of the image's 20 s.
const INTERVAL_MS = '200';

let redis: TestRedis;
const workers: WorkerProcess[] = [];
before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await redis.stop();
});

/** Runs the health check as the container does, with `env` as the container's environment. */
function runCheck(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/container-healthcheck.ts'],
      { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 },
      (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), out: stdout.trim() }),
    );
  });
}

const untilCheck = (env: Record<string, string>, code: number, what: string) =>
  waitFor(
    () => runCheck(env),
    (r) => r.code === code,
    30_000,
    what,
  );

test('a worker is healthy while it beats, unhealthy while Redis is down, healthy again after', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fbstab-heartbeat-')), 'worker.heartbeat');
  const env = { WORKER_HEARTBEAT_FILE: file, WORKER_HEARTBEAT_INTERVAL_MS: INTERVAL_MS };
  const worker = startWorkerProcess({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '1', ...env });
  workers.push(worker);
  await worker.ready;
  await waitFor(async () => existsSync(file), Boolean, 10_000, 'the first heartbeat');
  const healthy = await runCheck(env);
  assert.equal(healthy.code, 0, healthy.out);
  assert.match(healthy.out, /^healthy: worker heartbeat \d+ ms old \(limit 800 ms\)$/);

  // The process lives on, but cannot reach its queue: the heartbeat must stop.
  await redis.stop();
  const stale = await untilCheck(env, 1, 'the check to fail with Redis down');
  assert.match(stale.out, /^unhealthy: worker heartbeat \d+ ms old/);
  await waitFor(
    async () => worker.logs.some((l) => l.msg === 'heartbeat paused: Redis unreachable'),
    Boolean,
    2_000,
    'the worker to log that its heartbeat paused',
  );

  await redis.restart();
  await untilCheck(env, 0, 'the check to pass once the worker reconnected');

  worker.child.kill('SIGKILL');
  await worker.exited;
  await untilCheck(env, 1, 'the check to fail after the worker died');
});

test('a worker without WORKER_HEARTBEAT_FILE writes nothing; a garbled heartbeat is unhealthy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fbstab-heartbeat-'));
  const worker = startWorkerProcess({ REDIS_URL: redis.url, WORKER_CONCURRENCY: '1' });
  workers.push(worker);
  await worker.ready;
  assert.ok(!worker.logs.some((l) => String(l.msg).startsWith('heartbeat')));
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0);

  const file = join(dir, 'garbled.heartbeat');
  writeFileSync(file, 'not a time');
  const check = await runCheck({ WORKER_HEARTBEAT_FILE: file });
  assert.equal(check.code, 1);
  assert.equal(check.out, `unhealthy: worker heartbeat ${file} is unreadable`);
});

test('an API container (no heartbeat file) is healthy while /healthz answers, not when nothing listens', async () => {
  const stack = await startStack({ server: redis });
  const port = new URL(stack.base).port;
  // The image sets WORKER_HEARTBEAT_FILE for every container; the API never writes it.
  const env = { PORT: port, WORKER_HEARTBEAT_FILE: join(tmpdir(), `fbstab-absent-${process.pid}`) };
  try {
    const up = await runCheck(env);
    assert.equal(up.code, 0, up.out);
    assert.equal(up.out, `healthy: http://127.0.0.1:${port}/healthz: 200`);
  } finally {
    await stack.app.close();
    stack.redis.disconnect();
  }
  const down = await runCheck(env);
  assert.equal(down.code, 1);
  assert.match(down.out, new RegExp(`^unhealthy: http://127\\.0\\.0\\.1:${port}/healthz: `));
});
