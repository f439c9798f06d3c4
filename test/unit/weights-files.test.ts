// The .npz and .safetensors readers on files written by numpy, torch and the safetensors package
// (test/fixtures/weights, from scripts/reference/trained-weights.py), exact float16 / bfloat16
// decoding, and hostile files built by byte surgery: each refused with the status and a message
// naming what is wrong.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';
import { bfloat16ToNumber } from '../../src/formats/bfloat16-to-number.js';
import { crc32 } from '../../src/formats/crc32.js';
import {
  filterbankWeightsFromFile,
  sniffWeightsFormat,
} from '../../src/formats/filterbank-weights-from-file.js';
import { float16ToNumber } from '../../src/formats/float16-to-number.js';
import { FormatError } from '../../src/formats/format-error.js';
import { MAX_INFLATE_RATIO } from '../../src/formats/inflate-zip-entry.js';
import { listZipEntries } from '../../src/formats/list-zip-entries.js';
import { parseNpz } from '../../src/formats/parse-npz.js';
import { parseSafetensors } from '../../src/formats/parse-safetensors.js';
import {
  f32Bytes,
  npyOf,
  patched,
  safetensorsOf,
  safetensorsWithHeader,
  taps,
  zipLayout,
  zipOf,
} from '../api/binary-files.js';

const fixtures = new URL('../fixtures/weights/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));
interface Expected {
  files: Record<
    string,
    {
      format: string;
      shape: number[];
      array?: string;
      tensor?: string;
      names?: string[];
      weights?: number[];
      tensors?: Record<string, { bits: number[]; values: number[] }>;
    }
  >;
}
const expected = JSON.parse(fixture('expected.json').toString('utf8')) as Expected;
const MiB = 1024 * 1024;

function assertFormatError(run: () => unknown, status: number, pattern: RegExp, field?: string) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof FormatError, `expected a FormatError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.match(error.message, pattern);
    if (field !== undefined) assert.equal(error.field, field);
    return true;
  });
}

describe('float16 and bfloat16, exactly', () => {
  test('float16: closed forms of every exponent, and each step between neighbours', () => {
    assert.equal(float16ToNumber(0x0000), 0);
    assert.ok(Object.is(float16ToNumber(0x8000), -0));
    assert.equal(float16ToNumber(0x0001), 2 ** -24); // smallest subnormal
    assert.equal(float16ToNumber(0x03ff), 1023 * 2 ** -24); // largest subnormal
    assert.equal(float16ToNumber(0x0400), 2 ** -14); // smallest normal
    assert.equal(float16ToNumber(0x3c00), 1);
    assert.equal(float16ToNumber(0x3c01), 1 + 2 ** -10);
    assert.equal(float16ToNumber(0x7bff), 65504); // largest finite
    assert.equal(float16ToNumber(0xc000), -2);
    assert.equal(float16ToNumber(0x7c00), Infinity);
    assert.equal(float16ToNumber(0xfc00), -Infinity);
    assert.ok(Number.isNaN(float16ToNumber(0x7e00)) && Number.isNaN(float16ToNumber(0x7c01)));
    // Every positive finite pattern is the previous one plus the previous one's ulp 2^(max(e,1)−25).
    for (let bits = 1; bits < 0x7c00; bits++) {
      const e = (bits - 1) >> 10;
      assert.equal(
        float16ToNumber(bits) - float16ToNumber(bits - 1),
        2 ** (Math.max(e, 1) - 25),
        `0x${bits.toString(16)}`,
      );
      assert.equal(float16ToNumber(bits | 0x8000), -float16ToNumber(bits));
    }
  });

  test('bfloat16: closed forms, and every pattern is a float32 with a zero low half', () => {
    assert.equal(bfloat16ToNumber(0x3f80), 1);
    assert.equal(bfloat16ToNumber(0x0001), 2 ** -133); // smallest subnormal
    assert.equal(bfloat16ToNumber(0x007f), 127 * 2 ** -133); // largest subnormal
    assert.equal(bfloat16ToNumber(0x0080), 2 ** -126); // smallest normal
    assert.equal(bfloat16ToNumber(0x7f7f), (2 - 2 ** -7) * 2 ** 127); // largest finite
    assert.equal(bfloat16ToNumber(0xff80), -Infinity);
    assert.ok(Number.isNaN(bfloat16ToNumber(0x7fc0)));
    for (let bits = 1; bits < 0x7f80; bits++) {
      const e = (bits - 1) >> 7;
      assert.equal(
        bfloat16ToNumber(bits) - bfloat16ToNumber(bits - 1),
        2 ** (Math.max(e, 1) - 134),
        `0x${bits.toString(16)}`,
      );
    }
  });

  test('the edge values numpy (float16) and torch (bfloat16) decoded, from a safetensors file', () => {
    const edges = expected.files['half-edges.safetensors']!.tensors!;
    for (const name of ['f16', 'bf16'] as const) {
      const tensor = parseSafetensors(fixture('half-edges.safetensors'), { tensor: name });
      assert.deepEqual(tensor.shape, [2, 6]);
      const decode = name === 'f16' ? float16ToNumber : bfloat16ToNumber;
      edges[name]!.bits.forEach((bits, i) => {
        assert.ok(Object.is(tensor.data[i], edges[name]!.values[i]), `${name}[${i}]`);
        assert.ok(Object.is(decode(bits), edges[name]!.values[i]));
      });
    }
  });

  test('NaN and ±Inf in float16 and bfloat16 tensors: 400 naming the element', () => {
    const file = fixture('half-nonfinite.safetensors');
    assertFormatError(
      () => parseSafetensors(file, { tensor: 'f16_inf' }),
      400,
      /tensor 'f16_inf': element 1 \(C order\) is Infinity/,
    );
    assertFormatError(
      () => parseSafetensors(file, { tensor: 'f16_nan' }),
      400,
      /element 2 \(C order\) is NaN/,
    );
    assertFormatError(
      () => parseSafetensors(file, { tensor: 'bf16_inf' }),
      400,
      /element 1 \(C order\) is -Infinity/,
    );
    assertFormatError(
      () => parseSafetensors(file, { tensor: 'bf16_nan' }),
      400,
      /element 2 \(C order\) is NaN/,
    );
  });
});

test('crc32: the standard check value and node:zlib on random lengths', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  for (const n of [1, 7, 1000, 65537]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);
    assert.equal(crc32(bytes), zlibCrc32(bytes));
  }
});

describe('files written by numpy, torch and safetensors', () => {
  for (const [name, info] of Object.entries(expected.files)) {
    if (info.shape === undefined || name.includes('2-channels')) continue;
    test(`${name}: recognised, shape ${JSON.stringify(info.shape)}`, () => {
      const bytes = fixture(name);
      assert.equal(sniffWeightsFormat(bytes), info.format);
      const bank = filterbankWeightsFromFile(bytes, {
        array: info.array,
        tensor: info.tensor,
        maxInflatedBytes: MiB,
      });
      assert.equal(bank.numFilters, info.shape[0]);
      assert.equal(bank.filterLength, info.shape.at(-1));
      if (info.weights !== undefined) assert.deepEqual(Array.from(bank.weights), info.weights);
    });
  }

  test('every array of the .npz files equals the same weights from the .safetensors of float32', () => {
    const reference = parseSafetensors(fixture('conv1d-state-dict.safetensors'), { tensor: 'weight' });
    for (const [name, array] of [
      ['conv1d-weight.npz', undefined],
      ['conv1d-state-dict.npz', 'weight'],
      ['filters-f8-big-endian.npz', undefined],
    ] as const) {
      const npz = parseNpz(fixture(name), { array, maxInflatedBytes: MiB });
      assert.deepEqual(Array.from(npz.data), Array.from(reference.data), name);
    }
    const f64 = parseSafetensors(fixture('filters-f64.safetensors'));
    assert.deepEqual(Array.from(f64.data), Array.from(reference.data));
    const bias = parseNpz(fixture('conv1d-state-dict.npz'), { array: 'bias', maxInflatedBytes: MiB });
    assert.deepEqual(bias.shape, [6]);
    assert.deepEqual(
      Array.from(bias.data),
      Array.from(parseSafetensors(fixture('conv1d-state-dict.safetensors'), { tensor: 'bias' }).data),
    );
  });

  test('several arrays or tensors and no choice: 422 listing the names; an unknown name: 422', () => {
    for (const [name, field, names] of [
      ['conv1d-state-dict.npz', 'array', ['weight', 'bias']],
      ['conv1d-state-dict.safetensors', 'tensor', ['bias', 'weight']],
    ] as const) {
      const run = (choice?: string) =>
        filterbankWeightsFromFile(fixture(name), { [field]: choice, maxInflatedBytes: MiB });
      assert.throws(
        () => run(),
        (error: unknown) =>
          error instanceof FormatError &&
          error.status === 422 &&
          error.field === field &&
          /choose one with/.test(error.message) &&
          JSON.stringify(error.extensions.names) === JSON.stringify(names),
      );
      assertFormatError(() => run('nope'), 422, /holds no (array|tensor) "nope"; it holds "/, field);
      assertFormatError(() => run('bias'), 400, /expected shape \(J, T\) or \(J, 1, T\), got \(6,\)/);
    }
  });

  test('a two-channel Conv1d weight (J, 2, T): 422, only single-channel first layers', () => {
    for (const name of ['conv1d-2-channels.npz', 'conv1d-2-channels.safetensors']) {
      assertFormatError(
        () => filterbankWeightsFromFile(fixture(name), { maxInflatedBytes: MiB }),
        422,
        /'weight': shape \(6, 2, 24\) is a layer of 2 input channels: only single-channel first layers/,
      );
    }
  });

  test('array is for .npz only, tensor for .safetensors only: refused elsewhere, naming the field', () => {
    const npy = npyOf(taps(2, 4), '<f8');
    assertFormatError(
      () => filterbankWeightsFromFile(npy, { array: 'a', maxInflatedBytes: MiB }),
      400,
      /this is a \.npy file/,
      'array',
    );
    assertFormatError(
      () =>
        filterbankWeightsFromFile(fixture('filters-f64.safetensors'), { array: 'a', maxInflatedBytes: MiB }),
      400,
      /array chooses an array of a \.npz file, but this is a \.safetensors file/,
      'array',
    );
    assertFormatError(
      () =>
        filterbankWeightsFromFile(fixture('conv1d-weight.npz'), { tensor: 'weight', maxInflatedBytes: MiB }),
      400,
      /tensor chooses a tensor of a \.safetensors file, but this is a \.npz file/,
      'tensor',
    );
    assertFormatError(
      () => filterbankWeightsFromFile(Buffer.from('GIF89a....'), { maxInflatedBytes: MiB }),
      400,
      /unrecognised file/,
    );
  });
});

describe('hostile .npz files', () => {
  const npy = npyOf(taps(3, 8), '<f8');
  const maxInflatedBytes = MiB;
  const npz = (bytes: Uint8Array) => () => parseNpz(bytes, { maxInflatedBytes });
  const good = zipOf([{ name: 'w.npy', data: npy }]);

  test('a zip built by node:zlib reads back; stored and deflated alike', () => {
    for (const method of [0, 8] as const) {
      const out = parseNpz(zipOf([{ name: 'w.npy', data: npy, method }]), { maxInflatedBytes });
      assert.deepEqual(Array.from(out.data), taps(3, 8).flat());
      assert.equal(out.name, 'w');
    }
  });

  const { directory, end } = zipLayout(good);
  const cases: [string, () => Uint8Array, number, RegExp][] = [
    [
      'shorter than an end record',
      () => good.subarray(0, 10),
      400,
      /shorter than an end-of-central-directory record/,
    ],
    [
      'truncated (no end record at the end)',
      () => good.subarray(0, good.length - 5),
      400,
      /no end-of-central-directory record/,
    ],
    [
      'a comment length that does not end the file',
      () => patched(good, (v) => v.setUint16(end + 20, 3, true)),
      400,
      /no end-of-central-directory record/,
    ],
    [
      'central directory offset past its end record',
      () => patched(good, (v) => v.setUint32(end + 16, end, true)),
      400,
      /runs past its end record/,
    ],
    [
      'more entries than the directory holds',
      () => patched(good, (v) => (v.setUint16(end + 8, 500, true), v.setUint16(end + 10, 500, true))),
      400,
      /500 entries cannot fit/,
    ],
    ['multi-disk', () => patched(good, (v) => v.setUint16(end + 4, 1, true)), 415, /multi-disk/],
    [
      'bad central entry signature',
      () => patched(good, (v) => v.setUint32(directory, 0x12345678, true)),
      400,
      /has no entry signature/,
    ],
    [
      'local header offset past the data',
      () => patched(good, (v) => v.setUint32(directory + 42, directory - 10, true)),
      400,
      /does not fit before the central directory/,
    ],
    [
      'no local header signature',
      () => patched(good, (v) => v.setUint32(0, 0, true)),
      400,
      /no local header signature/,
    ],
    [
      'compressed size running into the directory',
      () =>
        patched(
          good,
          (v) => (v.setUint32(directory + 20, directory, true), v.setUint32(18, directory, true)),
        ),
      400,
      /runs into the central directory/,
    ],
    [
      'local and central names differ',
      () => patched(good, (_v, b) => (b[30] = 0x78)),
      400,
      /local header names it "x\.npy"/,
    ],
    [
      'local and central sizes differ',
      () => patched(good, (v) => v.setUint32(22, 5, true)),
      400,
      /the local header says CRC .*, \d+ → 5 bytes; the central directory/,
    ],
    ['encrypted', () => patched(good, (v) => v.setUint16(directory + 8, 0x801, true)), 415, /encrypted/],
    [
      'compression method 12 (bzip2)',
      () => patched(good, (v) => (v.setUint16(directory + 10, 12, true), v.setUint16(8, 12, true))),
      415,
      /compression method 12/,
    ],
    [
      'corrupt deflate data',
      () => patched(good, (_v, b) => b.fill(0xff, 30 + 5, 30 + 5 + 6)),
      400,
      /corrupt deflate data|inflates to|CRC-32/,
    ],
    [
      'wrong CRC-32',
      () => patched(good, (v) => (v.setUint32(14, 1, true), v.setUint32(directory + 16, 1, true))),
      400,
      /CRC-32 0x[0-9a-f]{8}, but declares 0x00000001/,
    ],
    [
      'no .npy inside',
      () => zipOf([{ name: 'readme.txt', data: Buffer.from('hi') }]),
      400,
      /holds no \.npy arrays \(entries: "readme\.txt"\)/,
    ],
    ['an empty archive', () => zipOf([]), 400, /it is empty/],
    [
      'the same name twice',
      () =>
        zipOf([
          { name: 'w.npy', data: npy },
          { name: 'w.npy', data: npy },
        ]),
      400,
      /two entries named 'w\.npy'/,
    ],
    [
      'a .npy inside that is not one',
      () => zipOf([{ name: 'w.npy', data: Buffer.from('not numpy') }]),
      400,
      /array 'w' of the \.npz: not a \.npy file/,
    ],
  ];
  for (const [name, make, status, pattern] of cases) {
    test(`${name}: ${status}`, () => assertFormatError(npz(make()), status, pattern));
  }

  test('a zip64 end record (as writers make past 65,535 entries or 4 GiB): read, and checked', () => {
    const zip = zipOf([
      { name: 'a.npy', data: npy },
      { name: 'b.npy', data: npyOf(taps(2, 4), '<f4'), method: 0 },
    ]);
    const { directory: start, end: endAt } = zipLayout(zip);
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(2n, 24);
    record.writeBigUInt64LE(2n, 32);
    record.writeBigUInt64LE(BigInt(endAt - start), 40);
    record.writeBigUInt64LE(BigInt(start), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(endAt), 8);
    locator.writeUInt32LE(1, 16);
    const end = Buffer.from(zip.subarray(endAt));
    end.writeUInt16LE(0xffff, 8);
    end.writeUInt16LE(0xffff, 10);
    end.writeUInt32LE(0xffffffff, 12);
    end.writeUInt32LE(0xffffffff, 16);
    const zip64 = Buffer.concat([zip.subarray(0, endAt), record, locator, end]);
    assert.deepEqual(listZipEntries(zip64), listZipEntries(zip));
    assert.deepEqual(parseNpz(zip64, { array: 'b', maxInflatedBytes }).shape, [2, 4]);
    const recordAt = endAt;
    assertFormatError(
      () => listZipEntries(patched(zip64, (v) => v.setUint32(recordAt, 0, true))),
      400,
      /no zip64 end record signature/,
    );
    assertFormatError(
      () => listZipEntries(patched(zip64, (v) => v.setBigUint64(recordAt + 48, 1n << 60n, true))),
      400,
      /the zip64 central directory offset is 1152921504606846976, more than a \d+-byte file can hold/,
    );
    assertFormatError(
      () => listZipEntries(patched(zip64, (v) => v.setBigUint64(recordAt + 32, 3n, true))),
      415,
      /multi-disk/,
    );
  });

  test('entries sharing bytes (an overlapping zip bomb): 400', () => {
    // Entry "a" is stored, and its data is the whole local record of entry "b".
    const inner = zipOf([{ name: 'b.npy', data: npy, method: 0 }]);
    const innerRecord = inner.subarray(0, zipLayout(inner).directory);
    const outer = zipOf([{ name: 'a.npy', data: innerRecord, method: 0 }]);
    const { directory: dir } = zipLayout(outer);
    const bEntry = Buffer.from(inner.subarray(zipLayout(inner).directory, zipLayout(inner).end));
    bEntry.writeUInt32LE(30 + 'a.npy'.length, 42); // b's local header, inside a's data
    const centralA = outer.subarray(dir, zipLayout(outer).end);
    const directoryBytes = Buffer.concat([centralA, bEntry]);
    const endRecord = Buffer.from(outer.subarray(zipLayout(outer).end));
    endRecord.writeUInt16LE(2, 8);
    endRecord.writeUInt16LE(2, 10);
    endRecord.writeUInt32LE(directoryBytes.length, 12);
    const bomb = Buffer.concat([outer.subarray(0, dir), directoryBytes, endRecord]);
    assertFormatError(() => listZipEntries(bomb), 400, /entries 'a\.npy' and 'b\.npy' overlap/);
  });

  test('zip bombs: a declared size over the cap or the ratio is refused before inflating (413)', () => {
    const zeros = npyOf([Array.from({ length: 300_000 }, () => 0)], '<f8'); // 2.4 MB, deflates ~1000 : 1
    const bomb = zipOf([{ name: 'w.npy', data: zeros }]);
    assertFormatError(
      () => parseNpz(bomb, { maxInflatedBytes: 2 * MiB }),
      413,
      /declares 2400128 bytes uncompressed; at most 2097152/,
    );
    assertFormatError(
      () => parseNpz(bomb, { maxInflatedBytes: 16 * MiB }),
      413,
      new RegExp(`a ratio over ${MAX_INFLATE_RATIO} : 1; refused as a likely zip bomb`),
    );
  });

  test('a lying zip bomb: declared small, inflating far past it: stopped, 400', () => {
    const big = new Uint8Array(50 * MiB);
    const deflated = deflateRawSync(big);
    // A stored-looking small entry whose deflate stream holds 50 MB of zeros.
    const lie = zipOf([{ name: 'w.npy', data: npy }]);
    const { directory: dir, end: endAt } = zipLayout(lie);
    const local = Buffer.from(lie.subarray(0, 30 + 5));
    local.writeUInt32LE(deflated.length, 18);
    const central = Buffer.from(lie.subarray(dir, endAt));
    central.writeUInt32LE(deflated.length, 20);
    const endRecord = Buffer.from(lie.subarray(endAt));
    endRecord.writeUInt32LE(local.length + deflated.length, 16);
    const file = Buffer.concat([local, deflated, central, endRecord]);
    const started = process.hrtime.bigint();
    assertFormatError(
      () => parseNpz(file, { maxInflatedBytes }),
      400,
      /inflates to more than the \d+ bytes it declares/,
    );
    // Not a timing assertion: the message says the work was bounded (kept for the report).
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(Number.isFinite(ms));
  });

  test('numpy writes zip64 extra fields (force_zip64); sizes of 0xFFFFFFFF are read from them, and checked', () => {
    const bytes = fixture('conv1d-weight.npz');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const extraAt = 30 + view.getUint16(26, true);
    assert.equal(view.getUint16(extraAt, true), 1, 'the fixture has a zip64 extra field in its local header');
    assert.equal(view.getBigUint64(extraAt + 4, true), BigInt(view.getUint32(22, true)));
    const [entry] = listZipEntries(bytes);
    assert.equal(entry?.name, 'arr_0.npy');
    // Local sizes of 0xFFFFFFFF: the zip64 ones count, and agree with the central directory.
    const wide = patched(
      bytes,
      (v) => (v.setUint32(18, 0xffffffff, true), v.setUint32(22, 0xffffffff, true)),
    );
    assert.deepEqual(listZipEntries(wide), listZipEntries(bytes));
    assertFormatError(
      () => listZipEntries(patched(wide, (v) => v.setBigUint64(extraAt + 4, 7n, true))),
      400,
      /the local header says CRC .*→ 7 bytes/,
    );
    assertFormatError(
      () => listZipEntries(patched(wide, (v) => v.setUint16(extraAt, 9, true))),
      400,
      /a size or offset is 0xFFFFFFFF, but it has no zip64 extra field/,
    );
  });
});

describe('hostile .safetensors files', () => {
  const weight = { dtype: 'F32', shape: [2, 3], bytes: f32Bytes([1, 2, 3, 4, 5, 6]) };
  const good = safetensorsOf({ weight }, { format: 'pt' });
  const read = (bytes: Uint8Array, tensor?: string) => () => parseSafetensors(bytes, { tensor });

  test('a file built here reads back, metadata ignored', () => {
    const out = parseSafetensors(good);
    assert.deepEqual(out.shape, [2, 3]);
    assert.deepEqual(Array.from(out.data), [1, 2, 3, 4, 5, 6]);
    const proto = parseSafetensors(
      safetensorsWithHeader(
        '{"__proto__": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}',
        weight.bytes,
      ),
    );
    assert.equal(proto.name, '__proto__');
    assert.equal(({} as Record<string, unknown>).dtype, undefined);
  });

  const entry = (fields: Record<string, unknown>) =>
    safetensorsWithHeader(
      JSON.stringify({ weight: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24], ...fields } }),
      weight.bytes,
    );
  const cases: [string, () => Uint8Array, number, RegExp][] = [
    ['shorter than the length', () => good.subarray(0, 5), 400, /5 bytes; the header length alone takes 8/],
    [
      'a header longer than the file',
      () => patched(good, (v) => v.setBigUint64(0, 1n << 40n, true)),
      400,
      /the header declares 1099511627776 bytes, but only \d+ follow/,
    ],
    [
      'a header length of 2^64 − 1',
      () => patched(good, (v) => v.setBigUint64(0, (1n << 64n) - 1n, true)),
      400,
      /declares 18446744073709551615 bytes/,
    ],
    [
      'a header that is not JSON',
      () => safetensorsWithHeader('{"weight": ', weight.bytes),
      400,
      /the header is not valid JSON/,
    ],
    [
      'a header that is not an object',
      () => safetensorsWithHeader('[1, 2]', weight.bytes),
      400,
      /must be a JSON object, starting with '\{'/,
    ],
    [
      'invalid UTF-8',
      () => safetensorsWithHeader('{"\udcff": 1}', weight.bytes).fill(0xff, 10, 11),
      400,
      /not valid UTF-8/,
    ],
    [
      'metadata of numbers',
      () => safetensorsOf({ weight }, { n: 1 } as unknown as Record<string, string>),
      400,
      /'__metadata__' must be an object of strings/,
    ],
    [
      'an entry with an extra key',
      () => entry({ extra: 1 }),
      400,
      /must have exactly 'dtype', 'shape' and 'data_offsets'; it has data_offsets,dtype,extra,shape/,
    ],
    [
      'a negative dimension',
      () => entry({ shape: [2, -3] }),
      400,
      /shape of tensor "weight" must be a list of non-negative integers/,
    ],
    [
      'fractional offsets',
      () => entry({ data_offsets: [0, 23.5] }),
      400,
      /data_offsets of tensor "weight" must be two non-negative integers/,
    ],
    [
      'offsets past the buffer',
      () => entry({ data_offsets: [0, 28] }),
      400,
      /data_offsets \[0, 28\) of tensor "weight" are outside the 24-byte buffer/,
    ],
    ['offsets reversed', () => entry({ data_offsets: [24, 0] }), 400, /are outside/],
    [
      'bytes that do not match the shape',
      () => entry({ shape: [2, 2] }),
      400,
      /needs 16 bytes, but its data_offsets hold 24/,
    ],
    [
      'overlapping tensors',
      () =>
        safetensorsWithHeader(
          JSON.stringify({
            a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
            b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
          }),
          weight.bytes,
        ),
      400,
      /tensors 'a' \[0, 16\) and 'b' \[8, 24\) overlap/,
    ],
    [
      'a gap between tensors',
      () =>
        safetensorsWithHeader(
          JSON.stringify({
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
          }),
          weight.bytes,
        ),
      400,
      /bytes \[8, 16\) of the buffer belong to no tensor/,
    ],
    [
      'trailing bytes after the tensors',
      () => Buffer.concat([good, Buffer.alloc(4)]),
      400,
      /the tensors cover 24 bytes of the 28-byte buffer/,
    ],
    ['no tensors', () => safetensorsWithHeader('{}', new Uint8Array(0)), 400, /holds no tensors/],
    [
      'an int32 tensor',
      () => safetensorsOf({ w: { dtype: 'I32', shape: [2, 3], bytes: Buffer.alloc(24) } }),
      415,
      /tensor 'w' has dtype I32: only F16, BF16, F32 and F64 are supported/,
    ],
    [
      'an unknown dtype',
      () => safetensorsOf({ w: { dtype: 'F12', shape: [2], bytes: Buffer.alloc(3) } }),
      415,
      /dtype F12/,
    ],
    [
      'an empty tensor',
      () => safetensorsOf({ w: { dtype: 'F32', shape: [0, 3], bytes: Buffer.alloc(0) } }),
      400,
      /tensor 'w' is empty: shape \(0, 3\)/,
    ],
  ];
  for (const [name, make, status, pattern] of cases) {
    test(`${name}: ${status}`, () => assertFormatError(read(make()), status, pattern));
  }

  test('a big-endian header length is not a .safetensors file', () => {
    const swapped = patched(good, (v, b) => v.setBigUint64(0, b.readBigUInt64BE(0), true));
    assert.equal(sniffWeightsFormat(swapped), undefined);
    assertFormatError(read(swapped), 400, /the header declares \d+ bytes, but only/);
  });
});
