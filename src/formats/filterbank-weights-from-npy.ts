import { FormatError } from './format-error.js';
import type { NpyArray } from './parse-npy.js';

/** Filterbank taps in the layout of FrameBoundsKernel: J rows of T taps, row-major. */
export interface NpyFilterbank {
  weights: Float64Array;
  numFilters: number;
  filterLength: number;
}

/**
 * Reads J filters of T taps from a parsed `.npy` array of shape (J, T), or (J, 1, T), the
 * layout of a PyTorch Conv1d weight with one input channel (docs/api.md "Analysis and design").
 * C order makes both layouts J·T row-major already, so the data is used as is. The same for the
 * arrays of `.npz` and `.safetensors` files (filterbankWeightsFromFile).
 *
 * @throws FormatError 422 for (J, C, T) with C > 1, a layer of several input channels; 400 for any
 *   other shape.
 */
export function filterbankWeightsFromNpy(npy: NpyArray): NpyFilterbank {
  const { shape, data } = npy;
  const valid =
    (shape.length === 2 || (shape.length === 3 && shape[1] === 1)) && shape[0]! >= 1 && shape.at(-1)! >= 1;
  if (!valid) {
    if (shape.length === 3 && shape[1]! > 1) {
      throw new FormatError(
        422,
        `shape (${shape.join(', ')}) is a layer of ${shape[1]} input channels: only single-channel first layers (J, 1, T), as Conv1d(1, J, T), are analysed`,
      );
    }
    const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
    throw new FormatError(400, `expected shape (J, T) or (J, 1, T), got ${tuple}`);
  }
  return { weights: data, numFilters: shape[0]!, filterLength: shape.at(-1)! };
}
