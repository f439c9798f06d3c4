// `npm run validate:theory` as docs/theory.md §11.5 runs it: in shards with their own caches, then
// scored from the caches alone. On a grid small enough for a test (4 cells, 40 trials).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const grid = ['--trials', '40', '--N', '64', '--J', '5,7', '--T', '8,12'];
function validate(...args: string[]): { stdout: string; stderr: string } {
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/validate-theory.ts', ...grid, ...args],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(out.status, 0, out.stderr);
  return out;
}
/** The cells a run simulated, from its per-cell lines on stderr. */
const simulated = (stderr: string) => [...stderr.matchAll(/^(J=\d+ T=\d+ N=\d+):/gm)].map((m) => m[1]!);

test('two shards simulate disjoint halves of the grid, and their caches score it whole without simulating', () => {
  const caches = [join(dir, 'one.jsonl'), join(dir, 'two.jsonl')];
  const one = simulated(validate('--shard', '1/2', '--cache', caches[0]!).stderr);
  const two = simulated(validate('--shard', '2/2', '--cache', caches[1]!).stderr);
  assert.equal(one.length, 2);
  assert.equal(two.length, 2);
  assert.deepEqual(
    [...one, ...two].sort(),
    ['J=5 T=12 N=64', 'J=5 T=8 N=64', 'J=7 T=12 N=64', 'J=7 T=8 N=64'],
    'every cell once',
  );
  for (const path of caches) assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 2);

  const scored = validate('--cache', caches.join(','), '--cached-only');
  assert.match(scored.stdout, /fbstab validate:theory: 4 cells, 40 trials each/);
  assert.doesNotMatch(scored.stdout, /not run/);
  assert.match(scored.stdout, /\| predicted \| E\[κ\] \|/);
});

test('a malformed --shard is refused, naming it', () => {
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/validate-theory.ts', ...grid, '--shard', '3/2'],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  assert.notEqual(out.status, 0);
  assert.match(out.stderr, /--shard must be i\/n with 1 ≤ i ≤ n, got 3\/2/);
});
