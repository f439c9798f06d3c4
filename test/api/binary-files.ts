// Valid and hostile WAV, .npy, .npz (zip) and .safetensors files for the API tests, built with
// the project's own encoders, node:zlib's deflate, and byte surgery on their output.
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';
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

/** One entry of zipOf: stored or deflated (by node:zlib's deflate). */
export interface ZipSpec {
  name: string;
  data: Uint8Array;
  method?: 0 | 8;
}

/**
 * A zip archive as zip writers lay it out: local header and data per entry, the central
 * directory, the end record; no zip64 (numpy's own files, in test/fixtures/weights, have zip64
 * local headers). `edit` may then lie in any field.
 */
export function zipOf(entries: ZipSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data, method = 8 } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const stored = method === 8 ? deflateRawSync(data) : Buffer.from(data);
    const crc = zlibCrc32(data);
    const local = Buffer.alloc(30 + nameBytes.length);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    nameBytes.copy(local, 30);
    const central = Buffer.alloc(46 + nameBytes.length);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    nameBytes.copy(central, 46);
    locals.push(local, stored);
    centrals.push(central);
    offset += local.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Field offsets of a zipOf archive's first entry and of its end record, for lying in them. */
export function zipLayout(zip: Uint8Array) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  const directory = view.getUint32(end + 16, true);
  return { local: 0, directory, end };
}

/** A tensor of safetensorsOf: the header entry's fields and its bytes (little-endian). */
export interface TensorSpec {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** A .safetensors file: tensors laid out in order, the header padded to 8 bytes with spaces. */
export function safetensorsOf(
  tensors: Record<string, TensorSpec>,
  metadata?: Record<string, string>,
): Buffer {
  const header: Record<string, unknown> = metadata === undefined ? {} : { __metadata__: metadata };
  let offset = 0;
  for (const [name, { dtype, shape, bytes }] of Object.entries(tensors)) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
  }
  return safetensorsWithHeader(
    JSON.stringify(header),
    Buffer.concat(Object.values(tensors).map((t) => t.bytes)),
  );
}

/** A .safetensors file of a given header text (padded to 8 bytes) and buffer. */
export function safetensorsWithHeader(header: string, buffer: Uint8Array): Buffer {
  let text = Buffer.from(header, 'utf8');
  text = Buffer.concat([text, Buffer.alloc((8 - (text.length % 8)) % 8, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, buffer]);
}

/** float32 little-endian bytes of `values`. */
export function f32Bytes(values: number[]): Buffer {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeFloatLE(v, 4 * i));
  return out;
}
