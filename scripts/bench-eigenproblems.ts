// The theory's eigenproblems for `npm run bench` (docs/theory.md §12.1): the Toeplitz spectra the
// energy preset's theory tasks solve (every signal, every T), on the JS reference and on its
// WebAssembly port, alternated in one process so both see the same machine, and compared by the
// median of the per-round ratios.
import type { Kernel } from '../src/core/wasm/kernel-choice.js';
import { autocorrelationToeplitzEigenvalues } from '../src/core/theory/autocorrelation-toeplitz-eigenvalues.js';
import { prepareSignal } from '../src/experiments/common/prepare-signal.js';
import type { SeededExperimentRequest } from '../src/experiments/experiment-request.js';

export interface EigenproblemTiming {
  /** Median seconds of one pass over every eigenproblem, JS and wasm. */
  js: number;
  wasm: number;
  /** Median over rounds of (JS time / wasm time) within the round. */
  ratio: number;
  rounds: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Times the eigenproblems of an energy request's theory tasks, `rounds` interleaved rounds. */
export function timeEigenproblems(request: SeededExperimentRequest, rounds: number): EigenproblemTiming {
  if (request.type !== 'energy') throw new TypeError('the eigenproblem bench needs an energy request');
  const autocorrelations = request.signals.map(
    (spec, i) => prepareSignal(spec, i, request.seed).autocorrelation,
  );
  const lengths = request.filterbank.filterLengths;
  const pass = (kernel: Kernel): number => {
    const t0 = performance.now();
    for (const R of autocorrelations)
      for (const T of lengths) autocorrelationToeplitzEigenvalues(R, T, kernel);
    return (performance.now() - t0) / 1000;
  };
  // Warm-up: V8 optimises the JS and tiers the wasm up past its baseline compiler.
  for (let i = 0; i < 5; i++) {
    pass('js');
    pass('wasm');
  }
  const js: number[] = [];
  const wasm: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs right after the other.
    let jsSeconds: number;
    let wasmSeconds: number;
    if (round % 2 === 0) {
      jsSeconds = pass('js');
      wasmSeconds = pass('wasm');
    } else {
      wasmSeconds = pass('wasm');
      jsSeconds = pass('js');
    }
    js.push(jsSeconds);
    wasm.push(wasmSeconds);
    ratios.push(jsSeconds / wasmSeconds);
  }
  return { js: median(js), wasm: median(wasm), ratio: median(ratios), rounds };
}
