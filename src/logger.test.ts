// The buffered logger keeps its promises (src/logger.ts): a quiet process's lines still appear
// within the flush interval, a crash writes what was gathered, and the lines are whole JSON.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
const node = (script: string) => [
  '--import',
  'tsx',
  '--input-type=module',
  '-e',
  `import { createLogger } from ${JSON.stringify(logger)};\n${script}`,
];

test('a crash writes every gathered line before the process dies', () => {
  const out = spawnSync(
    process.execPath,
    node(
      `const log = createLogger({ LOG_LEVEL: 'info', LOG_BUFFER_BYTES: 16000 }, 'test');
       for (let i = 0; i < 100; i++) log.info({ i }, 'line');
       setTimeout(() => { throw new Error('crash'); }, 10);`,
    ),
    { encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(out.status, 1);
  const lines = out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { i: number; service: string });
  assert.deepEqual(
    lines.map((l) => l.i),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.equal(lines[0]!.service, 'test');
});

test('a quiet process still writes its line within the flush interval, without exiting', async () => {
  const child = spawn(
    process.execPath,
    node(
      `const log = createLogger({ LOG_LEVEL: 'info', LOG_BUFFER_BYTES: 4096 }, 'test');
       log.info('ready');
       setInterval(() => {}, 1000);`,
    ),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').once('data', resolve);
      child.once('exit', () => reject(new Error('exited before logging')));
    });
    assert.equal((JSON.parse(line) as { msg: string }).msg, 'ready');
    assert.equal(child.exitCode, null, 'the line came from the timer, not from an exit');
  } finally {
    child.kill('SIGKILL');
  }
});

test('LOG_BUFFER_BYTES=0 writes each line at once, synchronously', () => {
  const out = spawnSync(
    process.execPath,
    node(
      `const log = createLogger({ LOG_LEVEL: 'info', LOG_BUFFER_BYTES: 0 }, 'test');
       log.info('first');
       process.kill(process.pid, 'SIGKILL');`,
    ),
    { encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(out.signal, 'SIGKILL');
  assert.equal((JSON.parse(out.stdout) as { msg: string }).msg, 'first');
});

test('a process whose stdout reader is gone still exits (its last lines are dropped)', async () => {
  // sonic-boom's flushSync retries a write that failed with EPIPE forever; the logger must not
  // reach it. The child logs; its reader closes the pipe and then the child's stdin, on which the
  // child logs again and exits at once (before a periodic flush could notice the broken pipe).
  const child = spawn(
    process.execPath,
    node(
      `const log = createLogger({ LOG_LEVEL: 'info', LOG_BUFFER_BYTES: 4096 }, 'test');
       log.info('first');
       process.stdin.resume().on('end', () => {
         for (let i = 0; i < 10; i++) log.info({ i }, 'after the reader left');
         process.exit(0);
       });`,
    ),
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  child.stdin.end();
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
  ]);
  if (code === 'hung') child.kill('SIGKILL');
  assert.notEqual(code, 'hung', 'the process exited');
});
