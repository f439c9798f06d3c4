import { bfloat16ToNumber } from './bfloat16-to-number.js';
import { float16ToNumber } from './float16-to-number.js';
import { FormatError } from './format-error.js';
import { namesList } from './names-list.js';
import type { NamedArray } from './parse-npz.js';

/** Bytes per element of the safetensors dtypes of a whole number of bytes (safetensors 0.4–0.6). */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
  C64: 8,
};
const SUPPORTED: Readonly<Record<string, (view: DataView, at: number) => number>> = {
  F16: (view, at) => float16ToNumber(view.getUint16(at, true)),
  BF16: (view, at) => bfloat16ToNumber(view.getUint16(at, true)),
  F32: (view, at) => view.getFloat32(at, true),
  F64: (view, at) => view.getFloat64(at, true),
};
const SUPPORTED_TEXT = 'only F16, BF16, F32 and F64 are supported';
const MAX_NAMES = 100;

interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

const bad = (why: string) => new FormatError(400, `malformed .safetensors: ${why}`);

/**
 * One tensor of a `.safetensors` file (the format of huggingface/safetensors): an unsigned 64-bit
 * little-endian header length N, N bytes of a UTF-8 JSON object mapping each tensor's name to
 * `{ dtype, shape, data_offsets: [begin, end] }` (plus an optional `__metadata__` of strings),
 * then the byte buffer, little-endian, C order. Written here: no maintained npm package reads it
 * (`safetensors` on npm is a one-version placeholder). Checked as the reference implementation
 * does, before anything is allocated: the header fits in the file and is a JSON object; every
 * entry has exactly those keys, integer shape and offsets inside the buffer, and as many bytes as
 * its shape and dtype need; the tensors tile the buffer exactly, with no overlap and no gap.
 *
 * `tensor` chooses one; without it the file must hold exactly one.
 *
 * @throws FormatError 400 for any of the above, an empty tensor or a NaN/±Inf value; 415 for a
 *   dtype other than F16, BF16, F32, F64; 422 (field `tensor`, `names` listing them) when several
 *   tensors and no choice, or no tensor of that name.
 */
export function parseSafetensors(
  bytes: Uint8Array,
  options: { tensor?: string | undefined } = {},
): NamedArray {
  if (bytes.length < 8) throw bad(`${bytes.length} bytes; the header length alone takes 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw bad(`the header declares ${declared} bytes, but only ${bytes.length - 8} follow`);
  }
  const headerLength = Number(declared);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw bad('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw bad("the header must be a JSON object, starting with '{'");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw bad(
      `the header is not valid JSON (${error instanceof Error ? error.message.slice(0, 160) : 'unreadable'})`,
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw bad('the header must be a JSON object');
  }
  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.length - bufferStart;
  const tensors: TensorInfo[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (
        typeof info !== 'object' ||
        info === null ||
        Array.isArray(info) ||
        !Object.values(info).every((v) => typeof v === 'string')
      ) {
        throw bad("'__metadata__' must be an object of strings");
      }
      continue;
    }
    tensors.push(tensorInfo(name, info, bufferLength));
  }
  // The tensors tile the buffer: sorted by offset, each starts where the previous one ended.
  const byOffset = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorInfo | undefined;
  for (const t of byOffset) {
    if (t.begin < covered) {
      throw bad(
        `tensors '${previous!.name}' [${previous!.begin}, ${previous!.end}) and '${t.name}' [${t.begin}, ${t.end}) overlap`,
      );
    }
    if (t.begin > covered) throw bad(`bytes [${covered}, ${t.begin}) of the buffer belong to no tensor`);
    covered = t.end;
    previous = t;
  }
  if (covered !== bufferLength) {
    throw bad(`the tensors cover ${covered} bytes of the ${bufferLength}-byte buffer after the header`);
  }

  const names = tensors.map((t) => t.name);
  const choices = { names: names.slice(0, MAX_NAMES) };
  let chosen: TensorInfo | undefined;
  if (options.tensor === undefined) {
    if (tensors.length === 0) throw bad('the file holds no tensors');
    if (tensors.length > 1) {
      throw new FormatError(
        422,
        `the .safetensors holds ${tensors.length} tensors (${namesList(names)}): choose one with tensor=NAME (CLI: --tensor NAME)`,
        'tensor',
        choices,
      );
    }
    chosen = tensors[0];
  } else {
    chosen = tensors.find((t) => t.name === options.tensor);
    if (chosen === undefined) {
      throw new FormatError(
        422,
        `the .safetensors holds no tensor ${JSON.stringify(options.tensor.slice(0, 100))}; it holds ${tensors.length === 0 ? 'none' : namesList(names)}`,
        'tensor',
        choices,
      );
    }
  }
  const { name, dtype, shape, begin } = chosen!;
  const read = SUPPORTED[dtype];
  if (read === undefined)
    throw new FormatError(415, `tensor '${name}' has dtype ${dtype}: ${SUPPORTED_TEXT}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count === 0) throw new FormatError(400, `tensor '${name}' is empty: shape (${shape.join(', ')})`);
  const size = DTYPE_BYTES[dtype]!;
  const data = new Float64Array(count);
  for (let i = 0, at = bufferStart + begin; i < count; i++, at += size) {
    const v = read(view, at);
    if (!Number.isFinite(v)) {
      throw new FormatError(400, `tensor '${name}': element ${i} (C order) is ${v}; values must be finite`);
    }
    data[i] = v;
  }
  return { name, shape, data };
}

/** One header entry, checked: exactly dtype, shape, data_offsets, consistent with each other. */
function tensorInfo(name: string, info: unknown, bufferLength: number): TensorInfo {
  const shown = JSON.stringify(name.slice(0, 100));
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw bad(`the entry of tensor ${shown} must be an object`);
  }
  const keys = Object.keys(info).sort().join(',');
  if (keys !== 'data_offsets,dtype,shape') {
    throw bad(
      `tensor ${shown} must have exactly 'dtype', 'shape' and 'data_offsets'; it has ${keys || 'none'}`,
    );
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad(`the dtype of tensor ${shown} must be a string`);
  const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(shape) || shape.length > 64 || !shape.every(isIndex)) {
    throw bad(`the shape of tensor ${shown} must be a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    throw bad(`the data_offsets of tensor ${shown} must be two non-negative integers [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > bufferLength) {
    throw bad(
      `the data_offsets [${begin}, ${end}) of tensor ${shown} are outside the ${bufferLength}-byte buffer`,
    );
  }
  const size = DTYPE_BYTES[dtype];
  if (size !== undefined) {
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (count * size !== end - begin) {
      throw bad(
        `tensor ${shown} of shape (${shape.join(', ')}) and dtype ${dtype} needs ${count * size} bytes, but its data_offsets hold ${end - begin}`,
      );
    }
  }
  return { name, dtype, shape: shape as number[], begin, end };
}
