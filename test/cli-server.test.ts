// `fbstab … --server URL` (README "The CLI"): the CLI as a real child process against the real
// API, workers and Redis; its output must be byte for byte the output of the local run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../src/formats/encode-npy.js';
import { encodeWav } from '../src/formats/encode-wav.js';
import { startStack, type Stack } from './api/helpers.js';
import { freePort } from './support/redis-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-cli-server-'));

/** The CLI, run asynchronously (the API and workers of this test live in this process). */
function fbstab(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, FBSTAB_SERVER: '', FBSTAB_API_KEY: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const energy = {
  type: 'energy',
  seed: 42,
  trials: 300,
  filterbank: { numFilters: [3, 5], filterLengths: [4, 30] },
  signals: [
    { kind: 'brownian', length: 100 },
    { kind: 'sine', length: 90, frequency: 0.25, phase: 0.5, name: 'tone' },
  ],
};
const frameBounds = {
  type: 'frame-bounds',
  seed: 7,
  trials: 200,
  signalLength: 128,
  filterbank: { numFilters: [4, 8], filterLengths: [4, 8, 16] },
};

describe('fbstab --server', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ workers: true });
  });
  after(() => stack.close());

  for (const [name, request] of Object.entries({ energy, frameBounds })) {
    test(`run: the ${name} result on the server is byte-identical to the local run`, async () => {
      const path = file(`${name}.json`, JSON.stringify(request));
      const [local, remote, compact] = await Promise.all([
        fbstab(['run', path, '--threads', '1']),
        fbstab(['run', path, '--server', stack.base]),
        fbstab(['run', path, '--compact'], { FBSTAB_SERVER: stack.base }),
      ]);
      for (const out of [local, remote, compact]) assert.equal(out.status, 0, out.stderr);
      assert.ok(local.stdout.length > 1000);
      assert.equal(remote.stdout, local.stdout);
      assert.equal(compact.stdout, `${JSON.stringify(JSON.parse(local.stdout))}\n`);
      assert.equal(remote.stderr, `seed ${request.seed}\n`, 'the seed, and no bar: stderr is not a terminal');
      assert.equal(remote.stderr, local.stderr);
    });
  }

  test('run: a request without a seed prints the seed the server drew, and that seed repeats the run', async () => {
    const { seed: _seed, ...unseeded } = frameBounds;
    const remote = await fbstab([
      'run',
      file('unseeded.json', JSON.stringify(unseeded)),
      '--server',
      stack.base,
    ]);
    assert.equal(remote.status, 0, remote.stderr);
    const seed = Number(/^seed (\d+)$/m.exec(remote.stderr)?.[1]);
    assert.ok(Number.isInteger(seed));
    const local = await fbstab(['run', file('reseeded.json', JSON.stringify({ ...unseeded, seed }))]);
    assert.equal(local.stdout, remote.stdout);
  });

  test('run: a request the server refuses names the field in one line, as locally, and exits 2', async () => {
    const path = file(
      'invalid.json',
      JSON.stringify({ ...energy, filterbank: { numFilters: 0, filterLengths: [4] } }),
    );
    const [local, remote] = await Promise.all([
      fbstab(['run', path]),
      fbstab(['run', path, '--server', stack.base]),
    ]);
    assert.equal(remote.status, 2);
    assert.equal(remote.stdout, '');
    assert.equal(remote.stderr.trim().split('\n').length, 1);
    assert.match(remote.stderr, /^fbstab: invalid request in .*invalid\.json: filterbank\.numFilters: /);
    assert.equal(remote.stderr, local.stderr);
    const tooBig = await fbstab([
      'run',
      file(
        'big.json',
        JSON.stringify({
          ...frameBounds,
          trials: 10_000_000,
          signalLength: 65_536,
          filterbank: { numFilters: 1000, filterLengths: [2048] },
        }),
      ),
      '--server',
      stack.base,
    ]);
    assert.equal(tooBig.status, 2);
    assert.match(tooBig.stderr, /^fbstab: request in .*big\.json: the server answered 4\d\d .*\n$/);
  });

  test('run: Ctrl-C cancels the experiment on the server', async () => {
    const path = file('long.json', JSON.stringify({ ...frameBounds, trials: 2_000_000, signalLength: 1024 }));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'run', path, '--server', stack.base],
      {
        cwd: root,
        env: { ...process.env, FBSTAB_SERVER: '', FBSTAB_API_KEY: '' },
      },
    );
    let stderr = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (/^seed \d+$/m.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    assert.equal(await closed, 130);
    const id = /cancelling experiment ([0-9a-f-]{36})/.exec(stderr)?.[1];
    assert.ok(id !== undefined, stderr);
    const res = await fetch(`${stack.base}/v1/experiments/${id}`);
    assert.equal(((await res.json()) as { status: string }).status, 'cancelled');
  });

  test('FBSTAB_API_KEY is the bearer key of a server with API keys', async () => {
    const keyed = await startStack({ env: { API_KEYS: 'lab-key' }, server: stack.server });
    try {
      const args = ['design', '--T', '16', '--kappa', '2', '--server', keyed.base];
      const [withKey, without, local] = await Promise.all([
        fbstab(args, { FBSTAB_API_KEY: 'lab-key' }),
        fbstab(args),
        fbstab(args.slice(0, -2)),
      ]);
      assert.equal(withKey.status, 0, withKey.stderr);
      assert.equal(withKey.stdout, local.stdout);
      assert.equal(without.status, 2);
      assert.match(without.stderr, /^fbstab: design options: the server answered 401 /);
    } finally {
      await keyed.close();
    }
  });

  test('an unreachable server, or one that is not fbstab, is one clear line and a non-zero exit', async () => {
    const path = file('ok.json', JSON.stringify(frameBounds));
    const nowhere = await fbstab(['run', path, '--server', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(nowhere.status, 1);
    assert.match(
      nowhere.stderr,
      /^fbstab: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/experiments: .*ECONNREFUSED.*\(is the server up\?\)\n$/,
    );
    const notAUrl = await fbstab(['run', path, '--server', 'localhost:3000']);
    assert.equal(notAUrl.status, 2);
    assert.match(notAUrl.stderr, /--server: expected an http or https URL/);
    const wrongPath = await fbstab(['run', path, '--server', `${stack.base}/nothing-here`]);
    assert.equal(wrongPath.status, 2);
    assert.match(wrongPath.stderr, /the server answered 404/);
  });

  test('analyze-signal, analyze-filterbank and design print on a server what they print locally', async () => {
    const samples = Float64Array.from(
      { length: 300 },
      (_, n) => 0.5 * Math.sin(0.2 * n) + 0.1 * Math.cos(1.3 * n),
    );
    const wav = file('tone.wav', encodeWav([samples], 8000, { bitDepth: '16' }));
    const taps = Array.from({ length: 6 * 16 }, (_, i) => Math.sin(i * 0.7) / (1 + (i % 16)));
    const npy = file('weights.npy', encodeNpy(taps, [6, 1, 16], '<f4'));
    const commands = [
      ['analyze-signal', wav, '--J', '5,10', '--T', '8,32'],
      ['analyze-filterbank', npy, '--stride', '2', '--signal-length', '256'],
      ['design', '--T', '16,64', '--kappa', '2', '--target', 'median'],
    ];
    for (const args of commands) {
      const [local, remote] = await Promise.all([fbstab(args), fbstab([...args, '--server', stack.base])]);
      assert.equal(local.status, 0, local.stderr);
      assert.equal(remote.status, 0, remote.stderr);
      assert.equal(remote.stdout, local.stdout, args[0]);
    }
    const bad = await fbstab(['design', '--T', '16', '--kappa', '0.5', '--server', stack.base]);
    const badLocal = await fbstab(['design', '--T', '16', '--kappa', '0.5']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^fbstab: invalid design options: targetKappa: /);
    assert.equal(bad.stderr, badLocal.stderr);
    const notWeights = await fbstab(['analyze-filterbank', wav, '--server', stack.base]);
    assert.equal(notWeights.status, 2);
    assert.match(notWeights.stderr, /tone\.wav: the server answered 400 Malformed file: unrecognised file/);
  });
});
