// Valid and hostile WAV and .npy files for the API tests, built with the project's own encoders
// and byte surgery on their output.
import { encodeNpy, type NpyDtype } from '../../src/formats/encode-npy.js';
import { encodeWav, type WavBitDepth } from '../../src/formats/encode-wav.js';

export const WAV_DEPTHS: WavBitDepth[] = ['8', '16', '24', '32', '32f'];
export const NPY_DTYPES: NpyDtype[] = ['<f4', '>f4', '<f8', '>f8'];

/** A decaying two-tone signal in (−1, 1): `n` samples, distinct per `channel`. */
export function tone(n: number, channel = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = 0.6 * Math.exp(-i / n) * Math.sin(0.05 * (channel + 1) * i + channel) + 0.2 * Math.cos(0.31 * i);
  }
  return out;
}

export function wavOf(channels: number, depth: WavBitDepth, n = 600, rate = 8000): Buffer {
  return Buffer.from(
    encodeWav(
      Array.from({ length: channels }, (_, c) => tone(n, c)),
      rate,
      { bitDepth: depth },
    ),
  );
}

/** Byte offset of the header of the first chunk `id` ('fmt ', 'data') of a RIFF file. */
export function chunkAt(bytes: Uint8Array, id: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 12; at + 8 <= bytes.length;) {
    const name = String.fromCharCode(...bytes.subarray(at, at + 4));
    if (name === id) return at;
    const size = view.getUint32(at + 4, true);
    at += 8 + size + (size & 1);
  }
  throw new Error(`no ${id} chunk`);
}

/** A copy of `bytes` changed by `edit` (a DataView over the copy). */
export function patched(bytes: Uint8Array, edit: (view: DataView, bytes: Buffer) => void): Buffer {
  const copy = Buffer.from(bytes);
  edit(new DataView(copy.buffer, copy.byteOffset, copy.byteLength), copy);
  return copy;
}

/** J filters of T taps, deterministic, not symmetric. */
export function taps(J: number, T: number): number[][] {
  return Array.from({ length: J }, (_, j) =>
    Array.from({ length: T }, (_, t) => Math.sin(1.7 * j + 0.9 * t + 0.1 * j * t) / Math.sqrt(T)),
  );
}

export function npyOf(
  rows: number[][],
  dtype: NpyDtype,
  layout: 'JT' | 'J1T' = 'JT',
  version: 1 | 2 | 3 = 1,
): Buffer {
  const J = rows.length;
  const T = rows[0]!.length;
  const shape = layout === 'JT' ? [J, T] : [J, 1, T];
  return Buffer.from(encodeNpy(rows.flat(), shape, dtype, { version }));
}

/** Offset of the first data byte of a .npy written by encodeNpy. */
export function npyDataStart(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return bytes[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
}

/** A .npy with its header dict replaced (padding recomputed), data kept. */
export function npyWithHeader(bytes: Uint8Array, dict: string): Buffer {
  const data = bytes.subarray(npyDataStart(bytes));
  const padded = dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const header = Buffer.from(padded, 'latin1');
  const out = Buffer.alloc(10 + header.length + data.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(out, 0);
  out.writeUInt16LE(header.length, 8);
  header.copy(out, 10);
  Buffer.from(data).copy(out, 10 + header.length);
  return out;
}
