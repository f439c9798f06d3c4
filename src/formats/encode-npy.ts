/** dtypes `encodeNpy` writes, the ones `parseNpy` reads. */
export type NpyDtype = '<f4' | '>f4' | '<f8' | '>f8';

/**
 * Writes a C-order `.npy` file as numpy.save does (for tests and fixtures): the magic, the
 * version, the header dict padded with spaces to a 64-byte boundary and ended by '\n', then
 * the data. Version 1.0 unless `options.version` asks for 2.0 or 3.0.
 */
export function encodeNpy(
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: NpyDtype,
  options: { version?: 1 | 2 | 3 } = {},
): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(
      `encodeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`,
    );
  }
  const version = options.version ?? 1;
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const prefix = version === 1 ? 10 : 12;
  const padded = dict + ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const header = new TextEncoder().encode(padded);
  const itemSize = dtype.endsWith('8') ? 8 : 4;
  const out = new Uint8Array(prefix + header.length + count * itemSize);
  const view = new DataView(out.buffer);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0], 0);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  const littleEndian = dtype.startsWith('<');
  for (let i = 0, at = prefix + header.length; i < count; i++, at += itemSize) {
    if (itemSize === 8) view.setFloat64(at, data[i]!, littleEndian);
    else view.setFloat32(at, data[i]!, littleEndian);
  }
  return out;
}
