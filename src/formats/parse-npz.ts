import { FormatError } from './format-error.js';
import { inflateZipEntry } from './inflate-zip-entry.js';
import { listZipEntries } from './list-zip-entries.js';
import { namesList } from './names-list.js';
import { parseNpy, type NpyArray } from './parse-npy.js';

/** One array of a weights file, with its name in the file. */
export interface NamedArray extends NpyArray {
  name: string;
}

/** At most this many names go into a problem's `names` member. */
const MAX_NAMES = 100;

/**
 * One array of a NumPy `.npz` file (`np.savez`, stored; `np.savez_compressed`, deflate): a zip
 * archive whose entries `<name>.npy` are `.npy` files, named `<name>` as np.load names them.
 * `array` chooses one; without it the archive must hold exactly one. The archive is read as
 * hostile input (listZipEntries, inflateZipEntry with `maxInflatedBytes`); only the chosen entry
 * is inflated, then parsed by parseNpy.
 *
 * @throws FormatError 422 (field `array`, `names` listing them) when several arrays and no choice,
 *   or no array of that name; 400 when the archive holds no `.npy`, or holds one name twice;
 *   the errors of listZipEntries, inflateZipEntry and parseNpy, naming the array.
 */
export function parseNpz(
  bytes: Uint8Array,
  options: { array?: string | undefined; maxInflatedBytes: number },
): NamedArray {
  const entries = listZipEntries(bytes);
  const arrays = entries.filter((e) => e.name.endsWith('.npy'));
  const names = arrays.map((e) => e.name.slice(0, -'.npy'.length));
  if (arrays.length === 0) {
    throw new FormatError(
      400,
      `the .npz holds no .npy arrays (${entries.length === 0 ? 'it is empty' : `entries: ${namesList(entries.map((e) => e.name))}`})`,
    );
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new FormatError(400, `the .npz holds two entries named '${twice}.npy'`);
  const choices = { names: names.slice(0, MAX_NAMES) };
  let index: number;
  if (options.array === undefined) {
    if (arrays.length > 1) {
      throw new FormatError(
        422,
        `the .npz holds ${arrays.length} arrays (${namesList(names)}): choose one with array=NAME (CLI: --array NAME)`,
        'array',
        choices,
      );
    }
    index = 0;
  } else {
    index = names.indexOf(options.array);
    if (index < 0) {
      throw new FormatError(
        422,
        `the .npz holds no array ${JSON.stringify(options.array.slice(0, 100))}; it holds ${namesList(names)}`,
        'array',
        choices,
      );
    }
  }
  const name = names[index]!;
  const npy = inflateZipEntry(bytes, arrays[index]!, options.maxInflatedBytes);
  try {
    return { name, ...parseNpy(npy) };
  } catch (error) {
    if (error instanceof FormatError) {
      throw new FormatError(
        error.status,
        `array '${name}' of the .npz: ${error.message}`,
        error.field,
        error.extensions,
      );
    }
    throw error;
  }
}
