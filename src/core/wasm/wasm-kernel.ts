import type { TapLaw } from '../filterbank/tap-law.js';
import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { zigguratTables } from '../random/ziggurat-normal.js';
import { KERNEL_BASE64 } from './kernel-binary.generated.js';

// The parts of the WebAssembly JS API used here (the project's lib has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
};

/** The functions the AssemblyScript kernel exports (src/core/wasm/assembly/kernel.ts). */
export interface KernelExports {
  memory: WasmMemory;
  reserve(bytes: number): number;
  release(ptr: number): void;
  setState(s0: number, s1: number, s2: number, s3: number): void;
  getState(word: number): number;
  zigguratTables(): number;
  zigguratDensities(): number;
  initZiggurat(): void;
  fillTapsExport(out: number, count: number, law: number, param: number): void;
  fft(x: number, y: number, logN: number): number;
  summedPowerHalf(
    J: number,
    T: number,
    logG: number,
    law: number,
    param: number,
    packed: number,
    scratch: number,
    half: number,
    lastFilter: number,
  ): void;
  autocorrelation(
    J: number,
    T: number,
    logG: number,
    law: number,
    param: number,
    packed: number,
    scratch: number,
    half: number,
    lastFilter: number,
    r: number,
  ): void;
  frameBoundsDirect(
    J: number,
    T: number,
    logN: number,
    law: number,
    param: number,
    packed: number,
    scratch: number,
    half: number,
    lastFilter: number,
  ): void;
  frameBoundsAutocorrelation(
    J: number,
    T: number,
    logG: number,
    logN: number,
    law: number,
    param: number,
    packed: number,
    scratch: number,
    half: number,
    lastFilter: number,
    r: number,
  ): void;
  energyParseval(
    J: number,
    T: number,
    logN: number,
    law: number,
    param: number,
    packed: number,
    scratch: number,
    half: number,
    lastFilter: number,
    weights: number,
    S: number,
    out: number,
  ): void;
  stridedFrameBounds(
    J: number,
    T: number,
    logN: number,
    d: number,
    law: number,
    param: number,
    packed: number,
    scratch: number,
    lastFilter: number,
    sums: number,
    gather: number,
    eig: number,
  ): number;
  resultA(): number;
  resultB(): number;
  symmetricEigenvaluesInPlace(a: number, n: number, d: number, off: number, work: number): number;
  toeplitzEigenvaluesInPlace(
    r: number,
    size: number,
    out: number,
    plus: number,
    minus: number,
    off: number,
    work: number,
  ): number;
}

/**
 * One instance of the WebAssembly kernel (docs/theory.md §12): its exports and typed views of
 * its memory. Instantiated synchronously, once per thread, from bytes embedded at build time.
 */
export class WasmKernel {
  private constructor(readonly exports: KernelExports) {}

  private static instance: WasmKernel | undefined;

  /** This thread's kernel, instantiated on first use. */
  static get(): WasmKernel {
    return (WasmKernel.instance ??= WasmKernel.instantiate());
  }

  private static instantiate(): WasmKernel {
    const bytes = Uint8Array.from(atob(KERNEL_BASE64), (c) => c.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, {
      env: {
        // V8's own log and exp, so the ziggurat's rare paths match the JS sampler bit for bit.
        log: Math.log,
        exp: Math.exp,
        // And V8's Math.hypot, so the eigenvalue kernel's shifts match the JS reference's.
        hypot: Math.hypot,
        abort: (_message: number, _file: number, line: number, column: number) => {
          throw new Error(`wasm kernel aborted at ${line}:${column}`);
        },
      },
    });
    const kernel = new WasmKernel(instance.exports as unknown as KernelExports);
    const { edges, densities } = zigguratTables();
    const e = kernel.exports;
    kernel.f64(e.zigguratTables(), edges.length).set(edges);
    kernel.f64(e.zigguratDensities(), densities.length).set(densities);
    e.initZiggurat();
    return kernel;
  }

  /**
   * A view of `length` doubles at `ptr`. Views go stale when the memory grows, which any call
   * into the kernel may do, so take a fresh one after each call rather than keeping it.
   */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }

  /** Reserves `length` doubles (16-byte aligned) in the kernel's memory. */
  reserveF64(length: number): number {
    return this.exports.reserve(8 * Math.max(length, 1));
  }

  /** Loads the generator's state into the kernel. */
  loadStream(rng: Xoshiro128StarStar): void {
    this.exports.setState(rng.s0, rng.s1, rng.s2, rng.s3);
  }

  /** Writes the kernel's generator state back, so `rng` continues where the kernel stopped. */
  storeStream(rng: Xoshiro128StarStar): void {
    const e = this.exports;
    rng.s0 = e.getState(0);
    rng.s1 = e.getState(1);
    rng.s2 = e.getState(2);
    rng.s3 = e.getState(3);
  }
}

/** The kernel's code for a tap law and its parameter: (0, σ) for normal, (1, b) for U(−b, b). */
export function lawCode(law: TapLaw): [code: number, param: number] {
  return law.distribution === 'uniform' ? [1, law.halfWidth] : [0, Math.sqrt(law.variance)];
}

/**
 * Frees kernel buffers when their owner is garbage-collected: a long-lived worker thread plans
 * many experiments, and each kernel object holds a few buffers of the module's memory.
 */
export const releaseOnCollect = new FinalizationRegistry<number[]>((pointers) => {
  const e = WasmKernel.get().exports;
  for (const ptr of pointers) e.release(ptr);
});
