// `npm run bench`: engine throughput against the numpy baseline, measured in the same run and
// reported as ratios (CONTRIBUTING.md: speed is never asserted by timed tests).
//   --quick        skip the 100,000-trial memory run
//   --trials n     trials of the two presets (default 1000)
//   --rounds n     fbstab/numpy rounds per preset (default 5)
// The machine this runs on is shared and its speed drifts by ±30 % within a minute, so each
// preset alternates fbstab and numpy, `rounds` times (two back-to-back runs each per round),
// and compares the best of each: both sides see the same conditions, and the ratio is steadier
// than with all fbstab runs first and all numpy runs after. Each round runs the engine twice
// with its default kernels (auto: WebAssembly, docs/theory.md §12) and twice with the JS
// kernels (FBSTAB_KERNEL=js), for the wasm/JS ratio, and times the preset's one-thread floor
// (bench-floor.ts: its normal draws, wasm FFTs and theory alone), which bounds the ratio these
// cores could reach. It also times the strided frame bounds (d > 1) on the JS and the wasm
// route, interleaved on one thread (bench-strided.ts).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { circularAutocorrelation } from '../src/core/fft/circular-autocorrelation.js';
import { createStream } from '../src/core/random/stream-seed.js';
import { fillStandardNormal } from '../src/core/random/ziggurat-normal.js';
import { normalizeEnergy } from '../src/core/signals/normalize-energy.js';
import { analyzeFilterbankTaps } from '../src/experiments/analysis/analyze-filterbank.js';
import { analyzeSignal } from '../src/experiments/analysis/analyze-signal.js';
import { analyzeSignalRequestSchema } from '../src/experiments/analysis/analyze-signal-schema.js';
import { theoryKernel } from '../src/core/wasm/kernel-choice.js';
import { energyTheory } from '../src/experiments/energy/theory.js';
import { experimentRequestSchema } from '../src/experiments/experiment-request.js';
import { paperPresets, PAPER_FILTER_LENGTHS } from '../src/experiments/paper-presets.js';
import { createTaskPool, runExperimentInParallel } from '../src/runtime/parallel-runner.js';
import { FLOOR_PARTS, runFloorPart, type FloorPart } from './bench-floor.js';
import { timeEigenproblems, type EigenproblemTiming } from './bench-eigenproblems.js';
import { describeStrided, timeStrided } from './bench-strided.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    trials: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
  },
});
const trials = Number(args.trials);
const threads = availableParallelism();
const repeat = 3;
const rounds = Number(args.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1))
  throw new RangeError(`--rounds must be a positive integer, got ${args.rounds}`);
// Compiled to dist/scripts/bench.js; the repository root is two levels up.
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Line {
  name: string;
  seconds: number;
  /** The same preset with the JS kernels (FBSTAB_KERNEL=js). */
  jsSeconds?: number;
  /** The same preset (default kernels) on one thread. */
  oneThreadSeconds?: number;
  trialsPerSecond?: number;
  baselineSeconds?: number;
  /** One thread: the preset's normal draws, its wasm FFTs and its theory, each alone (bench-floor.ts). */
  floor?: Record<FloorPart, number>;
  note?: string;
}
const lines: Line[] = [];

const best = async (fn: () => Promise<unknown> | unknown) => {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
};

/**
 * One numpy measurement of the preset: the better of two runs in one process, so the first
 * run's page faults and caches are not counted against it. Undefined without numpy.
 */
function numpyBaseline(preset: 'frame-bounds' | 'energy'): number | undefined {
  const out = spawnSync(
    'python3',
    ['bench/baseline/numpy_baseline.py', '--preset', preset, '--trials', String(trials), '--repeat', '2'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (out.status !== 0) {
    console.log(
      `  numpy baseline unavailable (${(out.stderr || String(out.error)).trim().split('\n').pop()}): skipped`,
    );
    return undefined;
  }
  return (JSON.parse(out.stdout.trim().split('\n').pop()!) as { seconds: number }).seconds;
}

let eigenproblems: EigenproblemTiming | undefined;

const pool = createTaskPool(threads);
const onePool = createTaskPool(1);
console.log(
  `fbstab bench: ${threads} threads, ${trials} trials; presets: best of ${rounds} rounds of two fbstab runs then two numpy runs (numpy is single-threaded, as its FFT is); the rest: best of ${repeat}\n`,
);
for (const preset of paperPresets({ trials, seed: 7 }).slice(0, 2)) {
  const request = { ...experimentRequestSchema.parse(preset.request), seed: 7 };
  // Warm the threads, their JIT and the wasm tier-up (V8 runs the first calls on its baseline compiler).
  for (const kernel of ['auto', 'js'] as const) {
    await runExperimentInParallel({ ...request, trials: 50 }, { pool, kernel });
    await runExperimentInParallel({ ...request, trials: 50 }, { pool: onePool, kernel });
  }
  let seconds = Infinity;
  let jsSeconds = Infinity;
  let oneThreadSeconds = Infinity;
  const floor = { draws: Infinity, ffts: Infinity, theory: Infinity };
  let baseline: number | undefined;
  for (const part of FLOOR_PARTS) runFloorPart({ ...request, trials: 20 }, part);
  for (let round = 0; round < rounds; round++) {
    // Two back-to-back runs per round on each side (numpy: --repeat 2 in one process), so
    // neither side is timed cold after the other one has held the cores.
    for (let run = 0; run < 2; run++) {
      const t0 = performance.now();
      await runExperimentInParallel(request, { pool, kernel: 'auto' });
      seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    for (let run = 0; run < 2; run++) {
      const t0 = performance.now();
      await runExperimentInParallel(request, { pool, kernel: 'js' });
      jsSeconds = Math.min(jsSeconds, (performance.now() - t0) / 1000);
    }
    {
      const t0 = performance.now();
      await runExperimentInParallel(request, { pool: onePool, kernel: 'auto' });
      oneThreadSeconds = Math.min(oneThreadSeconds, (performance.now() - t0) / 1000);
    }
    for (const part of FLOOR_PARTS) {
      const t0 = performance.now();
      runFloorPart(request, part);
      floor[part] = Math.min(floor[part], (performance.now() - t0) / 1000);
    }
    const numpy = numpyBaseline(preset.name === 'energy' ? 'energy' : 'frame-bounds');
    if (numpy === undefined) break;
    baseline = Math.min(baseline ?? Infinity, numpy);
  }
  // Both presets have one draw cell per T (J = 10 for energy, J = 40 for frame bounds).
  const cells = PAPER_FILTER_LENGTHS.length;
  const line: Line = {
    name: `${preset.name} preset`,
    seconds,
    jsSeconds,
    oneThreadSeconds,
    trialsPerSecond: (trials * cells) / seconds,
    floor,
  };
  if (baseline !== undefined) line.baselineSeconds = baseline;
  // The theory's eigenproblems, JS against wasm (docs/theory.md §12.1), interleaved on this thread.
  if (preset.name === 'energy') eigenproblems = timeEigenproblems(request, 21);
  if (preset.name === 'energy')
    line.note = 'fbstab also computes the exact (generalized χ²) deviations; numpy does not';
  lines.push(line);
}
await pool.destroy();
await onePool.destroy();

// The strided frame bounds, JS against wasm per stride (docs/theory.md §12.4), on this thread.
const stridedRounds = 11;
const strided = timeStrided(stridedRounds);

// The theory of one second of 22.05 kHz audio over T = 8…1024, exact deviations included.
{
  const N = 22050;
  const rng = createStream(1, 2, 3);
  const noise = new Float64Array(N);
  fillStandardNormal(rng, noise);
  const tone = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const t = n / N;
    tone[n] =
      Math.exp(-3 * t) * (Math.sin(2 * Math.PI * 440 * t) + 0.5 * Math.sin(2 * Math.PI * 880 * t)) +
      0.05 * noise[n]!;
  }
  const signal = normalizeEnergy(tone);
  const seconds = await best(() => {
    const Rx = circularAutocorrelation(signal);
    for (const T of PAPER_FILTER_LENGTHS)
      energyTheory(Rx, 1, T, [10], { scheme: 'paper' }, 0.05, theoryKernel('auto'));
  });
  lines.push({ name: 'theory of a 22050-sample signal, T = 8…1024', seconds, note: 'target < 5 s' });
}

// POST /v1/analyze/signal as its analysis thread runs it: 3 s of 22.05 kHz audio, T = 8…1024.
{
  const N = 3 * 22050;
  const rng = createStream(1, 2, 4);
  const noise = new Float64Array(N);
  fillStandardNormal(rng, noise);
  const samples = Array.from(noise, (v, n) => Math.sin((2 * Math.PI * 440 * n) / 22050) + 0.1 * v);
  const request = analyzeSignalRequestSchema.parse({
    signal: { kind: 'samples', samples, sampleRate: 22050 },
    numFilters: 10,
    filterLengths: PAPER_FILTER_LENGTHS,
  });
  const seconds = await best(() => analyzeSignal(request));
  lines.push({ name: 'analyze/signal: 3 s at 22.05 kHz, T = 8…1024', seconds, note: 'target < 5 s' });
}

// POST /v1/analyze/filterbank as its analysis thread runs it: J = 512, T = 1024, N = 16384.
{
  const J = 512;
  const T = 1024;
  const weights = new Float64Array(J * T);
  fillStandardNormal(createStream(1, 2, 5), weights);
  const seconds = await best(() =>
    analyzeFilterbankTaps({ weights, numFilters: J, filterLength: T }, { stride: 1, signalLength: 16384 }),
  );
  lines.push({ name: 'analyze/filterbank: J = 512, T = 1024, N = 16384', seconds, note: 'target < 1 s' });
}

console.log(
  'name'.padEnd(48),
  'seconds'.padStart(9),
  'trials/s'.padStart(10),
  'numpy s'.padStart(9),
  'speed-up'.padStart(9),
);
for (const l of lines) {
  console.log(
    l.name.padEnd(48),
    l.seconds.toFixed(3).padStart(9),
    (l.trialsPerSecond === undefined ? '' : l.trialsPerSecond.toFixed(0)).padStart(10),
    (l.baselineSeconds === undefined ? '' : l.baselineSeconds.toFixed(3)).padStart(9),
    (l.baselineSeconds === undefined ? '' : `${(l.baselineSeconds / l.seconds).toFixed(2)}×`).padStart(9),
    l.note === undefined ? '' : ` ${l.note}`,
  );
}

console.log('\nkernels (docs/theory.md §12): the presets with the JS kernels, and on one thread');
for (const l of lines) {
  if (l.jsSeconds === undefined || l.oneThreadSeconds === undefined) continue;
  console.log(
    `  ${l.name}: JS kernels ${l.jsSeconds.toFixed(3)} s, so wasm/JS speed-up ${(l.jsSeconds / l.seconds).toFixed(2)}×; ` +
      `one thread ${l.oneThreadSeconds.toFixed(3)} s, so ${threads} threads give ${(l.oneThreadSeconds / l.seconds).toFixed(2)}×`,
  );
}

if (eigenproblems !== undefined) {
  const { js, wasm, ratio, rounds: n } = eigenproblems;
  console.log(
    `  theory eigenproblems (energy preset, every signal and T): wasm ${ratio.toFixed(2)}× JS ` +
      `(median of ${n} interleaved rounds; JS ${(1000 * js).toFixed(1)} ms, wasm ${(1000 * wasm).toFixed(1)} ms per pass)`,
  );
}

for (const line of describeStrided(strided, stridedRounds)) console.log(line);

// What the wasm kernel allows. Normal draws and FFTs are work any implementation of this Monte
// Carlo must do (and the energy target includes the theory), so with numpy's time B and their
// one-thread sum F, `threads` perfectly used threads reach at most threads·B/F.
console.log(
  '\none thread, each part alone, in wasm: normal draws (our ziggurat), FFTs (count and sizes of the routes taken), theory',
);
for (const l of lines) {
  if (l.floor === undefined) continue;
  const { draws, ffts, theory } = l.floor;
  const sum = draws + ffts + theory;
  const ceiling =
    l.baselineSeconds === undefined
      ? ''
      : `; ${threads} threads could reach at most ${((threads * l.baselineSeconds) / sum).toFixed(2)}× numpy`;
  console.log(
    `  ${l.name}: draws ${draws.toFixed(3)} s + FFTs ${ffts.toFixed(3)} s + theory ${theory.toFixed(3)} s = ${sum.toFixed(3)} s${ceiling}`,
  );
}

if (!args.quick) {
  // Peak RSS of the frame-bound preset at 100,000 trials, in a fresh process so the figure is its own.
  const out = spawnSync(process.execPath, [fileURLToPath(new URL('./bench-memory.js', import.meta.url))], {
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(out.stderr);
  const m = JSON.parse(out.stdout.trim().split('\n').pop()!) as { seconds: number; maxRssMiB: number };
  console.log(
    `\nframe-bound preset at 100,000 trials: ${m.seconds.toFixed(1)} s, peak RSS ${m.maxRssMiB.toFixed(0)} MiB (target < 500 MB)`,
  );
}
