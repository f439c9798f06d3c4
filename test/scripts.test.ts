// npm start / npm run worker / npm run dev as a user runs them: with Redis unreachable or a bad
// variable, one line on stderr that says what to do, and a non-zero exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = [
  ['api', ['src/server.ts']],
  ['worker', ['workers/experiment-worker.ts']],
  ['dev', ['src/server.ts', '--with-workers']],
] as const;

for (const [name, args] of entries) {
  test(`${name}: Redis unreachable → one line saying how to start Redis, exit 1`, () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const out = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(out.status, 1, out.stderr);
    const lines = out.stderr.trim().split('\n');
    assert.equal(lines.length, 1, out.stderr);
    assert.match(
      lines[0]!,
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\); start one with `redis-server/,
    );
  });
}

test('a bad variable stops the process with a line naming it, exit 2', () => {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: 'abc', RATE_LIMIT_PER_MINUTE: '-1' },
    encoding: 'utf8',
  });
  assert.equal(out.status, 2);
  assert.match(out.stderr, /PORT/);
  assert.match(out.stderr, /RATE_LIMIT_PER_MINUTE/);
});
