// examples/python/fbstab_client.py (docs/api.md "Client") run by python3 against the real API,
// workers and Redis: the files it writes are the bytes the API serves.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../api/helpers.js';
import { eventBreakingProxy } from './http-peers.js';

const script = fileURLToPath(new URL('../../examples/python/fbstab_client.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-python-'));

function python(args: string[]) {
  return new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('python3', [script, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

async function bytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}

describe('examples/python/fbstab_client.py', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ workers: true });
  });
  after(() => stack.close());

  /** Runs the script into a fresh folder and checks every file against what the API serves. */
  async function runAndCompare(args: string[], base = stack.base) {
    const out = mkdtempSync(join(dir, 'out-'));
    const run = await python([...args, '--server', base, '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    const experimentBytes = readFileSync(join(out, 'experiment.json'));
    const experiment = JSON.parse(experimentBytes.toString('utf8'));
    assert.equal(experiment.status, 'succeeded');
    assert.deepEqual(experimentBytes, await bytes(`${stack.base}/v1/experiments/${experiment.id}`));
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')), experiment.result);
    const plots: string[] = experiment.links.plots;
    assert.ok(plots.length >= 1);
    const svgs = readdirSync(out).filter((name) => name.endsWith('.svg'));
    assert.deepEqual(svgs.sort(), plots.map((link) => link.split('/').at(-1)!).sort());
    for (const link of plots) {
      const file = readFileSync(join(out, link.split('/').at(-1)!));
      assert.deepEqual(file, await bytes(`${stack.base}${link}`), link);
      assert.match(file.toString('utf8'), /^<svg/);
    }
    return { run, experiment };
  }

  test('the built-in example: follows the events, writes the resource, the result and every plot', async () => {
    const { run, experiment } = await runAndCompare([]);
    assert.equal(experiment.request.seed, 2024);
    assert.match(run.stderr, /progress 1200\/1200 trials/);
    assert.doesNotMatch(run.stderr, /polling/);
  });

  test('a request file, with the event stream refused by a proxy: it polls and writes the same files', async () => {
    const request = join(dir, 'energy.json');
    writeFileSync(
      request,
      JSON.stringify({
        type: 'energy',
        seed: 5,
        trials: 100,
        filterbank: { numFilters: 4, filterLengths: [4, 16] },
        signals: [{ kind: 'brownian', length: 64 }],
      }),
    );
    const proxy = await eventBreakingProxy(stack.base, 'refuse');
    try {
      const { run, experiment } = await runAndCompare([request], proxy.base);
      assert.equal(experiment.type, 'energy');
      assert.match(run.stderr, /event stream unavailable .*; polling/);
    } finally {
      await proxy.close();
    }
  });

  test('a 503 with Retry-After is retried after it, and the run goes on', async () => {
    const proxy = await eventBreakingProxy(stack.base, 'busy-first');
    try {
      const { run } = await runAndCompare([], proxy.base);
      assert.match(run.stderr, /^503: retrying in 1\.0 s$/m);
      assert.deepEqual(proxy.seen.slice(0, 2), ['POST /v1/experiments', 'POST /v1/experiments']);
    } finally {
      await proxy.close();
    }
  });

  test('a request the server refuses: each bad field on stderr, exit 2', async () => {
    const request = join(dir, 'bad.json');
    writeFileSync(
      request,
      JSON.stringify({ type: 'frame-bounds', filterbank: { numFilters: 0, filterLengths: [4] } }),
    );
    const run = await python([request, '--server', stack.base, '--out', join(dir, 'bad-out')]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^filterbank\.numFilters: /m);
    assert.match(run.stderr, /the server answered 400 Invalid request/);
  });
});
