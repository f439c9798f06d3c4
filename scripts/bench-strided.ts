// The strided frame bounds for `npm run bench` (docs/theory.md §12.4, §12.6): per stride d and
// shape (N = 1024, J ∈ {10, 40}, T ∈ {8, 64, 1024}), trials of the JS route
// (strided-frame-bounds.ts) and of the wasm route (wasm-strided-frame-bounds.ts) on the same
// streams, alternated in one process so both see the same machine, compared by the median over
// rounds of the per-round ratio. kernel-choice.ts routes a stride to wasm only where it paid here.
import { FrameBoundsKernel } from '../src/core/filterbank/frame-bounds-kernel.js';
import { tapLaw } from '../src/core/filterbank/tap-law.js';
import { createStream } from '../src/core/random/stream-seed.js';
import { WasmStridedFrameBounds } from '../src/core/wasm/wasm-strided-frame-bounds.js';

export interface StridedShapeTiming {
  J: number;
  T: number;
  N: number;
  d: number;
  /** Median seconds per trial, JS and wasm. */
  js: number;
  wasm: number;
  /** Median over rounds of (JS time / wasm time) within the round. */
  ratio: number;
}

export const STRIDED_BENCH_STRIDES = [2, 4, 8, 16];
const SHAPES: [J: number, T: number, N: number][] = [10, 40].flatMap((J) =>
  [8, 64, 1024].map((T): [number, number, number] => [J, T, 1024]),
);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Times both routes on every shape and stride, `rounds` interleaved rounds each. */
export function timeStrided(rounds: number, strides = STRIDED_BENCH_STRIDES): StridedShapeTiming[] {
  const timings: StridedShapeTiming[] = [];
  for (const d of strides) {
    for (const [J, T, N] of SHAPES) {
      const law = tapLaw('paper', J, T);
      const kernels = {
        js: new FrameBoundsKernel(J, T, N, d),
        wasm: new WasmStridedFrameBounds(J, T, N, d),
      };
      let trials = 2;
      const pass = (which: 'js' | 'wasm'): number => {
        const kernel = kernels[which];
        const t0 = performance.now();
        for (let trial = 0; trial < trials; trial++)
          kernel.computeFromDraw(createStream(1, J, T, trial), law);
        return (performance.now() - t0) / 1000 / trials;
      };
      // Warm-up: V8 optimises the JS and tiers the wasm up past its baseline compiler; then
      // enough trials per pass for about 10 ms of JS.
      let perTrial = Infinity;
      for (let i = 0; i < 5; i++) {
        perTrial = Math.min(perTrial, pass('js'));
        pass('wasm');
      }
      trials = Math.min(200, Math.max(2, Math.ceil(0.01 / perTrial)));
      const js: number[] = [];
      const wasm: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // Alternate which goes first, so neither always runs right after the other.
        const first = round % 2 === 0 ? 'js' : 'wasm';
        const a = pass(first);
        const b = pass(first === 'js' ? 'wasm' : 'js');
        const [jsSeconds, wasmSeconds] = first === 'js' ? [a, b] : [b, a];
        js.push(jsSeconds);
        wasm.push(wasmSeconds);
        ratios.push(jsSeconds / wasmSeconds);
      }
      timings.push({ J, T, N, d, js: median(js), wasm: median(wasm), ratio: median(ratios) });
    }
  }
  return timings;
}

/** One line per stride: the range of wasm/JS over the shapes and the costliest shape's times. */
export function describeStrided(timings: StridedShapeTiming[], rounds: number): string[] {
  const lines: string[] = [];
  for (const d of [...new Set(timings.map((t) => t.d))]) {
    const row = timings.filter((t) => t.d === d);
    const ratios = row.map((t) => t.ratio);
    const costliest = row.reduce((a, b) => (b.js > a.js ? b : a));
    const each = row.map((t) => `J${t.J}/T${t.T} ${t.ratio.toFixed(2)}×`).join(', ');
    lines.push(
      `  strided frame bounds d = ${d} (N = 1024): wasm ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× JS ` +
        `per trial (median of ${rounds} interleaved rounds; ${each}; J = ${costliest.J}, T = ${costliest.T}: ` +
        `JS ${(1e6 * costliest.js).toFixed(0)} µs, wasm ${(1e6 * costliest.wasm).toFixed(0)} µs)`,
    );
  }
  return lines;
}

// Run alone (node dist/scripts/bench-strided.js [rounds]) it prints the lines and the raw rows.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Number(process.argv[2] ?? 11);
  const timings = timeStrided(rounds);
  for (const line of describeStrided(timings, rounds)) console.log(line);
  console.log(JSON.stringify(timings));
}
