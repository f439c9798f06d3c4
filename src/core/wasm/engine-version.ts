import type { KernelPreference } from './kernel-choice.js';
import { ENGINE_BUILD } from './kernel-binary.generated.js';

/**
 * The engine version every result records (docs/theory.md §12): the package version, a hash of
 * the WebAssembly kernel and of every source that decides the numbers (src/core and
 * src/experiments, hashed at build time), and the kernels in use. JS and wasm kernels draw the
 * same filters but their FFTs round differently (results agree to ~1e-15 relative, not bit for
 * bit), so the kernel is part of the version; `auto` runs wasm wherever `wasm` does and is named
 * `wasm`. Equal versions and equal requests give identical results.
 */
export function engineVersion(preference: KernelPreference): string {
  return `${ENGINE_BUILD}.${preference === 'js' ? 'js' : 'wasm'}`;
}
