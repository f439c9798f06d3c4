// The `fbstab` CLI as a user runs it: a real child process, real files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { kernelPreferenceFromEnvironment } from '../src/config.js';
import { experimentRequestSchema } from '../src/experiments/experiment-request.js';
import { runExperiment } from '../src/experiments/run-experiment.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-cli-'));

function fbstab(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

function requestFile(name: string, body: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

const small = {
  type: 'energy',
  seed: 42,
  trials: 60,
  filterbank: { numFilters: [3, 5], filterLengths: [4, 30] },
  signals: [
    { kind: 'brownian', length: 100 },
    { kind: 'sine', length: 90, frequency: 0.25, phase: 0.5, name: 'tone' },
  ],
};

test('run: malformed JSON exits 2 with one line and no stack trace', () => {
  const out = fbstab('run', requestFile('bad.json', '{"type": "energy",'));
  assert.equal(out.status, 2);
  assert.equal(out.stdout, '');
  assert.equal(out.stderr.trim().split('\n').length, 1);
  assert.match(out.stderr, /not valid JSON/);
  assert.doesNotMatch(out.stderr, /\bat .*\.ts:\d+/);
});

test('run: an invalid request names the bad field and exits 2', () => {
  const out = fbstab(
    'run',
    requestFile('invalid.json', { ...small, filterbank: { numFilters: 3, filterLengths: [4, 200] } }),
  );
  assert.equal(out.status, 2);
  assert.equal(out.stderr.trim().split('\n').length, 1);
  assert.match(
    out.stderr,
    /filterbank\.filterLengths\[1\]: filter length 200 exceeds the length 100 of signals\[0\]/,
  );
  const typo = fbstab('run', requestFile('typo.json', { ...small, trails: 5 }));
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /trails/);
});

test('run: prints the same result as the in-process runner, whatever the thread count', () => {
  const file = requestFile('small.json', small);
  const one = fbstab('run', file, '--threads', '1');
  const two = fbstab('run', file, '--threads', '2', '--compact');
  assert.equal(one.status, 0, one.stderr);
  assert.equal(two.status, 0, two.stderr);
  const expected = JSON.parse(
    JSON.stringify(
      runExperiment(
        { ...experimentRequestSchema.parse(small), seed: 42 },
        undefined,
        undefined,
        undefined,
        kernelPreferenceFromEnvironment(),
      ),
    ),
  );
  assert.deepEqual(JSON.parse(one.stdout), expected);
  assert.deepEqual(JSON.parse(two.stdout), expected);
  assert.equal(expected.cells.length, 2 * 2 * 2);
  assert.deepEqual(
    expected.cells.map((c: { signal: string }) => c.signal),
    ['brownian', 'brownian', 'brownian', 'brownian', 'tone', 'tone', 'tone', 'tone'],
  );
});

test('reproduce: writes a result JSON and labelled SVG plots for each preset, and a table', () => {
  const out = join(dir, 'reproduce');
  const run = fbstab('reproduce', '--out', out, '--trials', '20', '--threads', '2');
  assert.equal(run.status, 0, run.stderr);
  const files = readdirSync(out).sort();
  for (const preset of ['energy', 'frame-bounds', 'condition-number']) {
    assert.ok(files.includes(`${preset}.json`), `${preset}.json in ${files.join(', ')}`);
    const saved = JSON.parse(readFileSync(join(out, `${preset}.json`), 'utf8'));
    assert.equal(saved.request.trials, 20);
    assert.ok(saved.result.cells.length >= 8);
  }
  const svgs = files.filter((f) => f.endsWith('.svg'));
  assert.ok(svgs.length >= 4, svgs.join(', '));
  for (const svg of svgs) {
    const text = readFileSync(join(out, svg), 'utf8');
    assert.equal(XMLValidator.validate(text), true, svg);
    // Every plot titles both axes; every plot but the histogram has T on one of them.
    assert.ok(
      /X-axis titled '[^']+'/.test(text) && /Y-axis titled '[^']+'/.test(text),
      `${svg} names its axes`,
    );
    if (!svg.includes('histogram')) assert.ok(/filter length/i.test(text), `${svg} names its T axis`);
  }
  assert.match(run.stdout, /impulse/);
  assert.match(run.stdout, /scaling law: c = /);
});
