import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStream } from '../core/random/stream-seed.js';
import { encodeNpy, type NpyDtype } from './encode-npy.js';
import { filterbankWeightsFromNpy } from './filterbank-weights-from-npy.js';
import { FormatError } from './format-error.js';
import { parseNpy } from './parse-npy.js';

/** A v1.0 .npy with this header text (padded as numpy does) and raw payload. */
function rawNpy(dict: string, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const out = new Uint8Array(10 + text.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8], 0);
  out.set(
    Uint8Array.from(text, (c) => c.charCodeAt(0)),
    10,
  );
  out.set(payload, 10 + text.length);
  return out;
}

const f8 = (...values: number[]) => new Uint8Array(Float64Array.from(values).buffer);

function assertFormatError(run: () => unknown, status: number, pattern: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof FormatError, `expected a FormatError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

test('every dtype, shape and version parses to the stored values', () => {
  const random = createStream(3, 4);
  const values = Float64Array.from({ length: 24 }, () => random.nextFloat64() * 2 - 1);
  for (const dtype of ['<f4', '>f4', '<f8', '>f8'] as NpyDtype[]) {
    // float32 keeps Math.fround(x) exactly; float64 keeps x.
    const expected = dtype.endsWith('4') ? Float64Array.from(values, Math.fround) : values;
    for (const shape of [[24], [4, 6], [4, 1, 6], [2, 3, 4]]) {
      for (const version of [1, 2, 3] as const) {
        const parsed = parseNpy(encodeNpy(values, shape, dtype, { version }));
        assert.deepEqual(parsed.shape, shape, `${dtype} v${version}`);
        assert.deepEqual(parsed.data, expected, `${dtype} (${shape.join(', ')}) v${version}`);
      }
    }
  }
});

test('header literals numpy and Python 2 wrote: double quotes, =, trailing commas, 3L', () => {
  const data = f8(1.5, -2);
  assert.deepEqual(parseNpy(rawNpy('{"descr": "=f8", "fortran_order": False, "shape": (2L,)}', data)), {
    shape: [2],
    data: Float64Array.of(1.5, -2),
  });
  assert.deepEqual(
    parseNpy(rawNpy("{'shape': (1, 2), 'fortran_order': False, 'descr': '<f8',}", data)).shape,
    [1, 2],
  );
  // A shape-() scalar holds one value.
  assert.deepEqual(
    parseNpy(rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': ()}", f8(7))).data,
    Float64Array.of(7),
  );
});

test('unsupported layouts and dtypes → 415', () => {
  const data = f8(1, 2, 3, 4);
  assertFormatError(
    () => parseNpy(rawNpy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", data)),
    415,
    /Fortran-order/,
  );
  assertFormatError(
    () => parseNpy(rawNpy("{'descr': '|O', 'fortran_order': False, 'shape': (4,), }", data)),
    415,
    /'\|O' \(Python objects\)/,
  );
  for (const descr of ['<i4', '<i8', '<i2', '|u1', '<f2', '<c16', '|f8', 'f8', '<U8']) {
    assertFormatError(
      () => parseNpy(rawNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (4,), }`, data)),
      415,
      /only float32 and float64/,
    );
  }
  assertFormatError(
    () => parseNpy(rawNpy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4,), }", data)),
    415,
    /structured dtypes/,
  );
});

test('bad magic, truncation, wrong length, NaN/Inf, empty → 400', () => {
  const good = encodeNpy([1, 2, 3, 4], [2, 2], '<f8');
  assertFormatError(() => parseNpy(Uint8Array.from('PK\x03\x04', (c) => c.charCodeAt(0))), 400, /magic/);
  assertFormatError(() => parseNpy(good.subarray(0, 9)), 400, /truncated .npy header: 9 bytes/);
  assertFormatError(
    () => parseNpy(good.subarray(0, 40)),
    400,
    /truncated .npy header: it declares 118 bytes, but only 30/,
  );
  assertFormatError(
    () => parseNpy(good.subarray(0, good.length - 3)),
    400,
    /data is 29 bytes, but shape \(2, 2\) of '<f8' needs 32/,
  );
  assertFormatError(() => parseNpy(Uint8Array.of(...good, 0)), 400, /data is 33 bytes/);
  assertFormatError(
    () => parseNpy(encodeNpy([1, Number.NaN], [2], '<f8')),
    400,
    /element 1 \(C order\) is NaN/,
  );
  assertFormatError(
    () => parseNpy(encodeNpy([Infinity, 1], [1, 2], '>f4')),
    400,
    /element 0 \(C order\) is Infinity/,
  );
  assertFormatError(() => parseNpy(encodeNpy([], [0, 4], '<f8')), 400, /empty: shape \(0, 4\)/);
  const badVersion = Uint8Array.from(good);
  badVersion[6] = 4;
  assertFormatError(() => parseNpy(badVersion), 400, /version 4\.0/);
});

test('malformed headers → 400, and nothing in them is ever evaluated', () => {
  const cases: [string, RegExp][] = [
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", /expected ',' or '}'/],
    ["{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}", /unexpected|expected/],
    [
      "{'descr': __import__('os').system('true'), 'fortran_order': False, 'shape': (2,)}",
      /unexpected "__import__"/,
    ],
    ["{'descr': '<f8', 'fortran_order': False}", /keys must be/],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}", /keys must be/],
    ["{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", /'fortran_order' must be True or False/],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", /unexpected "-"/],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2.5,)}", /unexpected/],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': 99999999999999999999}", /too large/],
    [`{'descr': '<f8', 'fortran_order': False, 'shape': ${'('.repeat(2000)}}`, /nested too deeply/],
    ['{1: 2}', /keys must be strings/],
  ];
  for (const [dict, pattern] of cases)
    assertFormatError(() => parseNpy(rawNpy(dict, f8(1, 2))), 400, pattern);
});

test('filterbankWeightsFromNpy: (J, T) and (J, 1, T) are J rows of T; other shapes → 400', () => {
  const data = Float64Array.from({ length: 12 }, (_, i) => i);
  for (const shape of [
    [3, 4],
    [3, 1, 4],
  ]) {
    const fb = filterbankWeightsFromNpy({ shape, data });
    assert.equal(fb.numFilters, 3);
    assert.equal(fb.filterLength, 4);
    assert.equal(fb.weights, data);
  }
  // (J, C, T) with C > 1: a layer of several input channels, 422.
  for (const shape of [
    [2, 3, 4],
    [3, 2, 2],
  ]) {
    assertFormatError(
      () => filterbankWeightsFromNpy({ shape, data }),
      422,
      new RegExp(
        `shape \\(${shape.join(', ')}\\) is a layer of ${shape[1]} input channels: only single-channel first layers`,
      ),
    );
  }
  for (const [shape, text] of [
    [[12], '(12,)'],
    [[1, 1, 1, 12], '(1, 1, 1, 12)'],
    [[0, 1, 4], '(0, 1, 4)'],
  ] as const) {
    assertFormatError(
      () => filterbankWeightsFromNpy({ shape: [...shape], data }),
      400,
      new RegExp(`expected shape \\(J, T\\) or \\(J, 1, T\\), got ${text.replace(/[()]/g, '\\$&')}`),
    );
  }
});
