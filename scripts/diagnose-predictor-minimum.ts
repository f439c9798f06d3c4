// Why the predictor's E[A] runs 3–5 % high at T = 8 (docs/theory.md §11.5): a Monte Carlo of the
// normalised Littlewood–Paley sum on its grid, set beside the chain of §11.2 level by level.
//
//   node --import tsx scripts/diagnose-predictor-minimum.ts [--J 5] [--T 8] [--N 1024] [--trials 200000]
//
// For each level u it prints P(min ≤ u) and the expected number of downcrossings of u between
// grid points, E[N_u], from the simulation and from the chain (Σ steps weight·exit), and E[A]
// from both. The simulation draws each trial's J filters from createStream(seed, J, T, trial),
// as the engine does, and takes LP on k = 0..N/2 with fft.js.
import { parseArgs } from 'node:util';
import { getFftPlan } from '../src/core/fft/fft-plan.js';
import { createStream } from '../src/core/random/stream-seed.js';
import { fillStandardNormal } from '../src/core/random/ziggurat-normal.js';
import { LittlewoodPaleyChain } from '../src/core/theory/littlewood-paley-chain.js';
import { predictFrameBounds } from '../src/core/theory/predict-frame-bounds.js';

const { values } = parseArgs({
  options: {
    J: { type: 'string', default: '5' },
    T: { type: 'string', default: '8' },
    N: { type: 'string', default: '1024' },
    trials: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '1' },
  },
});
const J = Number(values.J);
const T = Number(values.T);
const N = Number(values.N);
const trials = Number(values.trials);
const seed = Number(values.seed);
const K = Math.floor(N / 2);
const levels = Array.from({ length: 20 }, (_, i) => 0.05 * (i + 1));

const plan = getFftPlan(N);
const taps = new Float64Array(N);
const spectrum = new Float64Array(2 * N);
const lp = new Float64Array(K + 1);
const minBelow = new Float64Array(levels.length);
const crossings = new Float64Array(levels.length);
let sumA = 0;
let sumA2 = 0;
for (let trial = 0; trial < trials; trial++) {
  lp.fill(0);
  const rng = createStream(seed, J, T, trial);
  for (let j = 0; j < J; j++) {
    taps.fill(0);
    fillStandardNormal(rng, taps, 0, T);
    plan.forwardReal(taps, spectrum);
    for (let k = 0; k <= K; k++) lp[k]! += spectrum[2 * k]! ** 2 + spectrum[2 * k + 1]! ** 2;
  }
  let min = Infinity;
  for (let k = 0; k <= K; k++) {
    lp[k] = lp[k]! / (J * T);
    if (lp[k]! < min) min = lp[k]!;
  }
  sumA += min;
  sumA2 += min * min;
  levels.forEach((u, i) => {
    if (min <= u) minBelow[i]! += 1;
    for (let k = 0; k < K; k++) if (lp[k]! > u && lp[k + 1]! <= u) crossings[i]! += 1;
  });
}

const chain = new LittlewoodPaleyChain(J, T, N, 0);
const meanA = sumA / trials;
const seA = Math.sqrt((sumA2 / trials - meanA * meanA) / trials);
const predicted = predictFrameBounds(J, T, N, { distribution: 'normal', variance: 1, fourthMoment: 3 });
console.log(`J = ${J}, T = ${T}, N = ${N}, ${trials} trials, seed ${seed}`);
console.log(
  `E[A]: Monte Carlo ${meanA.toFixed(4)} ± ${seA.toFixed(4)}, predicted ${predicted.A.toFixed(4)} ` +
    `(${(100 * (predicted.A / meanA - 1)).toFixed(1)} %)`,
);
console.log('   u   P(min ≤ u) MC   chain    E[N_u] MC   chain');
levels.forEach((u, i) => {
  const level = chain.level(u, 'min');
  let expected = 0;
  for (let s = 0; s < level.exit.length; s++) expected += chain.stepWeight[s]! * level.exit[s]!;
  console.log(
    `${u.toFixed(2).padStart(5)}   ${(minBelow[i]! / trials).toFixed(4).padStart(10)}   ` +
      `${(1 - level.law).toFixed(4)}   ${(crossings[i]! / trials).toFixed(4).padStart(9)}   ${expected.toFixed(4)}`,
  );
});
