import { FormatError } from './format-error.js';
import { filterbankWeightsFromNpy, type NpyFilterbank } from './filterbank-weights-from-npy.js';
import { parseNpy } from './parse-npy.js';
import { parseNpz, type NamedArray } from './parse-npz.js';
import { parseSafetensors } from './parse-safetensors.js';

/** The weights files `POST /v1/analyze/filterbank` and `fbstab analyze-filterbank` read. */
export type WeightsFormat = 'npy' | 'npz' | 'safetensors';

export interface WeightsFileOptions {
  /** The format, when the caller knows it (a Content-Type); otherwise it is sniffed. */
  format?: WeightsFormat | undefined;
  /** The array of a `.npz` to analyse; needed when it holds several. */
  array?: string | undefined;
  /** The tensor of a `.safetensors` to analyse; needed when it holds several. */
  tensor?: string | undefined;
  /** Cap on the uncompressed size of a `.npz` entry (the API's MAX_BODY_BYTES). */
  maxInflatedBytes: number;
}

export interface FileFilterbank extends NpyFilterbank {
  format: WeightsFormat;
  /** The array or tensor analysed; undefined for a `.npy`. */
  name?: string;
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/**
 * The format of a weights file from its first bytes: `\x93NUMPY` (.npy); `PK\x03\x04`, or
 * `PK\x05\x06` of an empty archive (.npz, a zip); an 8-byte little-endian header length below
 * 2^32 followed by `{` (.safetensors). Undefined for anything else.
 */
export function sniffWeightsFormat(bytes: Uint8Array): WeightsFormat | undefined {
  if (NPY_MAGIC.every((b, i) => bytes[i] === b)) return 'npy';
  if (
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  ) {
    return 'npz';
  }
  if (
    bytes.length > 8 &&
    bytes[4] === 0 &&
    bytes[5] === 0 &&
    bytes[6] === 0 &&
    bytes[7] === 0 &&
    bytes[8] === 0x7b
  ) {
    return 'safetensors';
  }
  return undefined;
}

/**
 * J filters of T taps from a `.npy`, `.npz` or `.safetensors` file (docs/api.md "Analysis and
 * design"): the array or tensor is read by parseNpy, parseNpz or parseSafetensors, then shaped
 * by filterbankWeightsFromNpy ((J, T) or (J, 1, T)). `array` is for `.npz` files only and `tensor`
 * for `.safetensors` only: given for another format, it is refused rather than ignored.
 *
 * @throws FormatError 400 for an unrecognised file, or a choice that does not fit the format
 *   (field `array` or `tensor`); the errors of the parsers and of filterbankWeightsFromNpy.
 */
export function filterbankWeightsFromFile(bytes: Uint8Array, options: WeightsFileOptions): FileFilterbank {
  const format = options.format ?? sniffWeightsFormat(bytes);
  if (format === undefined) {
    throw new FormatError(
      400,
      "unrecognised file: it does not start with the magic of .npy (\\x93NUMPY) or .npz (PK\\x03\\x04), nor with a .safetensors header (an 8-byte little-endian length, then '{')",
    );
  }
  for (const [field, owner] of [
    ['array', 'npz'],
    ['tensor', 'safetensors'],
  ] as const) {
    if (options[field] !== undefined && format !== owner) {
      throw new FormatError(
        400,
        `${field} chooses ${field === 'array' ? 'an array of a .npz' : 'a tensor of a .safetensors'} file, but this is a .${format} file${format === 'npy' ? ', which holds one array' : ''}`,
        field,
      );
    }
  }
  let array: NamedArray | (ReturnType<typeof parseNpy> & { name?: undefined });
  if (format === 'npy') array = parseNpy(bytes);
  else if (format === 'npz')
    array = parseNpz(bytes, { array: options.array, maxInflatedBytes: options.maxInflatedBytes });
  else array = parseSafetensors(bytes, { tensor: options.tensor });
  let filterbank: NpyFilterbank;
  try {
    filterbank = filterbankWeightsFromNpy(array);
  } catch (error) {
    if (error instanceof FormatError && array.name !== undefined) {
      const what = format === 'npz' ? 'array' : 'tensor';
      throw new FormatError(
        error.status,
        `${what} '${array.name}': ${error.message}`,
        error.field,
        error.extensions,
      );
    }
    throw error;
  }
  return { ...filterbank, format, ...(array.name === undefined ? {} : { name: array.name }) };
}
