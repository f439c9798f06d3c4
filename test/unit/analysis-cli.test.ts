// The CLI twins of the analysis endpoints (docs/api.md "Analysis and design"), run as a user runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeFilterbank } from '../../src/experiments/analysis/analyze-filterbank.js';
import { analyzeFilterbankRequestSchema } from '../../src/experiments/analysis/analyze-filterbank-schema.js';
import { analyzeSignal } from '../../src/experiments/analysis/analyze-signal.js';
import { analyzeSignalRequestSchema } from '../../src/experiments/analysis/analyze-signal-schema.js';
import { design } from '../../src/experiments/analysis/design.js';
import { designRequestSchema } from '../../src/experiments/analysis/design-schema.js';
import { decodeWav } from '../../src/formats/decode-wav.js';
import { encodeNpy } from '../../src/formats/encode-npy.js';
import { encodeWav } from '../../src/formats/encode-wav.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-analysis-cli-'));

function fbstab(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

/** Exit 2, nothing on stdout, one line on stderr matching `pattern`, no stack trace. */
function assertUsageError(out: ReturnType<typeof fbstab>, pattern: RegExp) {
  assert.equal(out.status, 2, out.stderr);
  assert.equal(out.stdout, '');
  assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
  assert.match(out.stderr, pattern);
  assert.doesNotMatch(out.stderr, /\bat .*\.ts:\d+/);
}

test('analyze-signal: a stereo WAV prints the endpoint’s JSON for its samples', () => {
  const left = Float64Array.from({ length: 300 }, (_, n) => Math.sin(0.3 * n) / 2);
  const right = Float64Array.from({ length: 300 }, (_, n) => Math.cos(0.05 * n * n) / 4);
  const bytes = encodeWav([left, right], 22050, { bitDepth: '24' });
  const file = join(dir, 'tone.wav');
  writeFileSync(file, bytes);
  const out = fbstab(
    'analyze-signal',
    file,
    '--J',
    '3',
    '--J',
    '5,8',
    '--T',
    '4,16',
    '--p',
    '0.1',
    '--compact',
  );
  assert.equal(out.status, 0, out.stderr);
  const wav = decodeWav(bytes);
  const expected = analyzeSignal(
    analyzeSignalRequestSchema.parse({
      signal: { kind: 'samples', samples: Array.from(wav.samples), sampleRate: 22050, name: 'tone.wav' },
      numFilters: [3, 5, 8],
      filterLengths: [4, 16],
      tailProbability: 0.1,
    }),
  );
  // The same code on the same doubles, and JSON round-trips doubles exactly.
  assert.deepEqual(JSON.parse(out.stdout), JSON.parse(JSON.stringify(expected)));
});

test('analyze-signal: a compressed WAV or T > N exits 2 with one line', () => {
  const adpcm = encodeWav([Float64Array.of(0.1, 0.2)], 8000, { bitDepth: '16' });
  adpcm[20] = 2; // format code 0x0002
  const file = join(dir, 'adpcm.wav');
  writeFileSync(file, adpcm);
  assertUsageError(
    fbstab('analyze-signal', file, '--J', '3', '--T', '2'),
    /adpcm\.wav: unsupported WAV format code 0x0002 \(Microsoft ADPCM\)/,
  );
  const short = join(dir, 'short.wav');
  writeFileSync(short, encodeWav([Float64Array.of(0.1, 0.2, 0.3)], 8000, { bitDepth: '16' }));
  assertUsageError(
    fbstab('analyze-signal', short, '--J', '3', '--T', '2,8'),
    /filterLengths\[1\]: filter length 8 exceeds the signal length 3/,
  );
});

test('analyze-filterbank: a (J, 1, T) .npy prints the endpoint’s JSON; a bad stride exits 2', () => {
  const rows = [
    [0.5, -0.25, 0.125],
    [0.1, 0.2, -0.3],
    [1, 0, 0],
    [0, 0.5, 0.5],
  ];
  const file = join(dir, 'weights.npy');
  writeFileSync(file, encodeNpy(rows.flat(), [4, 1, 3], '<f8'));
  const out = fbstab('analyze-filterbank', file, '--stride', '2', '--signal-length', '64', '--compact');
  assert.equal(out.status, 0, out.stderr);
  const expected = analyzeFilterbank(
    analyzeFilterbankRequestSchema.parse({ weights: rows, stride: 2, signalLength: 64 }),
  );
  assert.deepEqual(JSON.parse(out.stdout), JSON.parse(JSON.stringify(expected)));
  assertUsageError(
    fbstab('analyze-filterbank', file, '--stride', '3'),
    /stride: stride 3 does not divide signalLength 1024/,
  );
  const cube = join(dir, 'cube.npy');
  writeFileSync(cube, encodeNpy(new Float64Array(24), [2, 3, 4], '<f8'));
  assertUsageError(
    fbstab('analyze-filterbank', cube),
    /cube\.npy: shape \(2, 3, 4\) is a layer of 3 input channels: only single-channel first layers/,
  );
});

test('design: prints J_min per T; κ* ≤ 1 exits 2', () => {
  const out = fbstab('design', '--T', '8,64,1024', '--kappa', '3', '--compact');
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(
    JSON.parse(out.stdout),
    design(designRequestSchema.parse({ filterLengths: [8, 64, 1024], targetKappa: 3 })),
  );
  assertUsageError(fbstab('design', '--T', '8', '--kappa', '1'), /targetKappa: /);
});
