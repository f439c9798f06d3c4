// Deployment files. The image's build runs here without a Docker engine (test/support/
// dockerfile-build.ts): its build stage on exactly the files its COPY steps name, in an empty
// folder, then its runtime stage's folder runs the API, a worker, the health check and the CLI
// against a real redis-server. A COPY missing from the Dockerfile fails here, not only in
// `docker build`. scripts/docker-smoke.sh builds and runs the real image where an engine is.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  execForm,
  importsOutsideDependencies,
  parseDockerfile,
  simulateDockerBuild,
  type Stage,
} from './support/dockerfile-build.js';
import { freePort, startRedis, type TestRedis } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    { command?: string[]; ports?: string[]; container_name?: string; image?: string; build?: unknown }
  >;
};

const children: ChildProcess[] = [];
const scratch: string[] = [];
let redis: TestRedis | undefined;
after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.stop();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** simulateDockerBuild, with its folders removed after the tests. */
function build(options: Parameters<typeof simulateDockerBuild>[1] = {}) {
  const image = simulateDockerBuild(root, options);
  scratch.push(dirname(image.runtimeDir));
  return image;
}

/** The runtime stage's ENV, as the container's environment starts. */
function imageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { op, args } of stage.instructions)
    if (op === 'ENV') for (const m of args.matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
  return env;
}

const instruction = (stage: Stage, op: string) => stage.instructions.find((i) => i.op === op)?.args ?? '';

/** Starts argv in `cwd` and resolves once a JSON log line has `msg` starting with `ready`. */
function startProcess(argv: string[], cwd: string, env: Record<string, string>, ready: string) {
  const [command, ...args] = argv;
  assert.equal(command, 'node', `the image runs node, not ${command}`);
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise<ChildProcess>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.split('\n').some((l) => l.includes(`"msg":"${ready}`))) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}: ${err}${out}`)));
  });
}

/** Runs the entry point with Redis unreachable: every module of it loads, then it exits 1. */
function loadsAndExplainsRedis(dir: string, entry: string) {
  const out = spawnSync(process.execPath, [entry], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: 'redis://127.0.0.1:1', PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(out.status, 1, `${entry}: ${out.stderr}`);
  assert.match(out.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/, `${entry}: ${out.stderr}`);
}

test('the image builds from the files it copies, and its runtime folder runs API, worker, checks, CLI', async () => {
  const image = build();
  const env = imageEnv(image.runtime);
  const dir = image.runtimeDir;

  // npm prune --omit=dev leaves only `dependencies`: dist/ may import nothing else.
  assert.ok(image.pruned, 'the build stage prunes devDependencies');
  assert.deepEqual(importsOutsideDependencies(join(dir, 'dist'), join(dir, 'package.json')), []);
  // The init process the ENTRYPOINT names comes from a system package the runtime stage installs.
  const entrypoint = execForm(instruction(image.runtime, 'ENTRYPOINT'));
  assert.equal(entrypoint[0], '/usr/bin/tini');
  assert.ok(image.systemSteps.some((s) => /apt-get install .*\btini\b/.test(s)));
  assert.equal(instruction(image.runtime, 'USER'), 'node');

  const cli = spawnSync(process.execPath, ['bin/fbstab.js', '--help'], { cwd: dir, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /Usage: fbstab/);

  redis = await startRedis();
  const port = String(await freePort());
  const apiEnv = { ...env, REDIS_URL: redis.url, HOST: '127.0.0.1', PORT: port };
  const workerEnv = {
    ...env,
    REDIS_URL: redis.url,
    WORKER_CONCURRENCY: '1',
    WORKER_HEARTBEAT_INTERVAL_MS: '500',
    WORKER_HEARTBEAT_FILE: join(dir, 'worker.heartbeat'),
  };
  const api = await startProcess(
    execForm(instruction(image.runtime, 'CMD')),
    dir,
    apiEnv,
    'Server listening',
  );
  // The worker as docker-compose.yml starts it, from the same image.
  assert.equal(compose.services.worker!.image, compose.services.api!.image);
  const worker = await startProcess(compose.services.worker!.command!, dir, workerEnv, 'workers ready');

  const base = `http://127.0.0.1:${port}`;
  for (const path of ['/healthz', '/readyz', '/openapi.yaml'])
    assert.equal((await fetch(base + path)).status, 200, path);
  const dashboard = await fetch(`${base}/`);
  assert.equal(dashboard.status, 200, 'the dashboard (public/) is in the image');
  assert.match(await dashboard.text(), /<html/i);

  const submitted = await fetch(`${base}/v1/experiments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'frame-bounds',
      trials: 50,
      seed: 3,
      signalLength: 64,
      filterbank: { numFilters: 4, filterLengths: [4, 8] },
    }),
  });
  assert.equal(submitted.status, 202);
  const { id } = (await submitted.json()) as { id: string };
  const done = await waitFor(
    async () => ((await (await fetch(`${base}/v1/experiments/${id}`)).json()) as { status: string }).status,
    (status) => ['succeeded', 'failed', 'cancelled'].includes(status),
    60_000,
    'the experiment to finish in the image’s worker',
  );
  assert.equal(done, 'succeeded');

  // The image's HEALTHCHECK, run in the runtime folder as each role's container runs it.
  const check = execForm(instruction(image.runtime, 'HEALTHCHECK'));
  const runCheck = (checkEnv: Record<string, string>) =>
    spawnSync(process.execPath, check.slice(1), {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...checkEnv },
      encoding: 'utf8',
    });
  const apiCheck = runCheck(apiEnv);
  assert.equal(apiCheck.status, 0, apiCheck.stdout);
  assert.match(apiCheck.stdout, /healthy: .*\/healthz: 200/);
  const workerCheck = await waitFor(
    async () => runCheck(workerEnv),
    (r) => r.status === 0,
    10_000,
    'the worker’s health check to pass',
  );
  assert.match(workerCheck.stdout, /healthy: worker heartbeat/);
  api.kill('SIGTERM');
  worker.kill('SIGTERM');
});

test('a Dockerfile that forgets to COPY workers/ builds an image whose worker cannot start', () => {
  const broken = dockerfile.replace(/^COPY workers workers\n/m, '');
  assert.notEqual(broken, dockerfile);
  const image = build({ dockerfile: broken });
  loadsAndExplainsRedis(image.runtimeDir, 'dist/src/server.js'); // the API is fine
  const worker = spawnSync(process.execPath, compose.services.worker!.command!.slice(1), {
    cwd: image.runtimeDir,
    encoding: 'utf8',
  });
  assert.equal(worker.status, 1);
  assert.match(worker.stderr, /Cannot find module .*experiment-worker\.js/);
});

test('the build that broke docker build: scripts/ compiled, test/support/ not copied', () => {
  // The former tsconfig.build.json compiled scripts/, whose benches import ../test/support.
  const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  const withScripts = dockerfile.replace(
    /^COPY workers workers$/m,
    'COPY workers workers\nCOPY scripts scripts',
  );
  assert.throws(
    () =>
      build({
        dockerfile: withScripts,
        overrides: {
          'tsconfig.build.json': JSON.stringify({ ...config, include: [...config.include, 'scripts'] }),
        },
      }),
    /npm run build.* failed:[\s\S]*Cannot find module '\.\.\/test\/support\//,
  );
});

test('the Dockerfile parses into a build and a runtime stage on the same Node, running as node', () => {
  const [build, runtime] = parseDockerfile(dockerfile);
  assert.equal(build?.name, 'build');
  assert.equal(build.base, runtime?.base);
  assert.match(build.base, /^node:\d+-bookworm-slim$/);
  // The image's Node is the one package.json asks for.
  const major = Number(/^node:(\d+)/.exec(build.base)![1]);
  const engines = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
  ).engines.node;
  assert.equal(engines, `>=${major}`);
});

test('docker compose config accepts docker-compose.yml (redis with AOF, api, scalable worker)', () => {
  // Compose v2 (`docker compose`) where it is installed, else v1 (`docker-compose`); `.ci/run`
  // installs Debian's docker-compose when neither is present.
  const v2 = spawnSync('docker', ['compose', 'config', '-q'], { cwd: root, encoding: 'utf8' });
  const out =
    v2.status === 0 ? v2 : spawnSync('docker-compose', ['config', '-q'], { cwd: root, encoding: 'utf8' });
  assert.equal(
    out.status,
    0,
    `neither \`docker compose config\` nor \`docker-compose config\` accepted it: ${out.stderr ?? ''}${out.error ?? ''}`,
  );
  const redisCommand = (compose.services.redis!.command ?? []).join(' ');
  assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'redis', 'worker']);
  assert.ok(redisCommand.includes('--appendonly yes'));
  assert.ok(redisCommand.includes('--maxmemory-policy noeviction'));
  assert.equal(compose.services.api!.build, '.');
  // --scale needs a worker without a fixed name or published port.
  assert.equal(compose.services.worker!.container_name, undefined);
  assert.equal(compose.services.worker!.ports, undefined);
});
