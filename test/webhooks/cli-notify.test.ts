// `fbstab run` takes the same body as POST /v1/experiments, `notify` included (docs/api.md
// "Webhooks"): it runs it, says on stderr that a local run sends no webhooks, and prints the
// same result as without `notify`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-cli-notify-'));

function run(body: object) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(body));
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', file, '--compact'], {
    cwd: root,
    encoding: 'utf8',
  });
}

test('fbstab run accepts notify, notes on stderr that it is ignored, and prints the same result', () => {
  const body = {
    type: 'frame-bounds',
    seed: 3,
    trials: 20,
    signalLength: 64,
    filterbank: { numFilters: 4, filterLengths: [8] },
  };
  const plain = run(body);
  const notified = run({ ...body, notify: { url: 'https://lab.example.org/hook', events: ['succeeded'] } });
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(notified.status, 0, notified.stderr);
  assert.match(notified.stderr, /^note: notify is ignored: a local run sends no webhooks$/m);
  assert.doesNotMatch(plain.stderr, /notify/);
  assert.equal(notified.stdout, plain.stdout);
  const bad = run({ ...body, notify: { url: 'ftp://lab.example.org/hook' } });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /notify\.url/);
});
