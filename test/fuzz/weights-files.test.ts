// The weights-file readers in process, as hostile input (fast-check, fixed seeds): valid .npz and
// .safetensors files of numpy, torch and safetensors (test/fixtures/weights) truncated, with
// bytes changed, with header fields replaced by hostile values, and random bytes. Each call
// either returns a consistent filterbank or throws a FormatError with a 4xx status: never
// another error (which the API would answer with a 500), never a hang.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  filterbankWeightsFromFile,
  type WeightsFormat,
} from '../../src/formats/filterbank-weights-from-file.js';
import { FormatError } from '../../src/formats/format-error.js';
import { npyOf, safetensorsWithHeader, taps, zipOf } from '../api/binary-files.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/weights/${name}`, import.meta.url));
const zips = [
  fixture('conv1d-weight.npz'),
  fixture('conv1d-state-dict.npz'),
  fixture('filters-f8-big-endian.npz'),
  zipOf([
    { name: 'a.npy', data: npyOf(taps(3, 8), '<f4'), method: 0 },
    { name: 'b.npy', data: npyOf(taps(2, 5), '>f8') },
  ]),
];
const safetensors = [
  fixture('conv1d-state-dict.safetensors'),
  fixture('conv1d-weight-f16.safetensors'),
  fixture('conv1d-weight-bf16.safetensors'),
  fixture('filters-f64.safetensors'),
  fixture('half-edges.safetensors'),
];
const valid = [...zips, ...safetensors];

/** Checks one call: a filterbank whose sizes agree and whose taps are finite, or a 4xx FormatError. */
function check(
  bytes: Uint8Array,
  options: { format?: WeightsFormat | undefined; array?: string | undefined; tensor?: string | undefined },
) {
  try {
    const bank = filterbankWeightsFromFile(bytes, { ...options, maxInflatedBytes: 1 << 20 });
    assert.equal(bank.weights.length, bank.numFilters * bank.filterLength);
    assert.ok(bank.numFilters >= 1 && bank.filterLength >= 1);
    assert.ok(bank.weights.every(Number.isFinite));
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    assert.ok([400, 413, 415, 422].includes(error.status), `status ${error.status}`);
    assert.ok(error.message.length > 0 && error.message.length < 2000, error.message.slice(0, 200));
  }
}

const choice = fc.record(
  {
    format: fc.constantFrom<WeightsFormat | undefined>(undefined, 'npz', 'safetensors', 'npy'),
    array: fc.constantFrom(undefined, 'weight', 'arr_0', 'a', 'b', 'filters', '__proto__'),
    tensor: fc.constantFrom(undefined, 'weight', 'bias', 'filters', 'f16', 'bf16', 'constructor'),
  },
  { requiredKeys: [] },
);

/** Valid files with 1–8 bytes set to random values, anywhere or in the first and last 100 bytes. */
const mutated = fc.constantFrom(...valid).chain((file) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.nat({ max: file.length - 1 }),
          fc.nat({ max: Math.min(99, file.length - 1) }),
          fc.nat({ max: Math.min(99, file.length - 1) }).map((n) => file.length - 1 - n),
        ),
        fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x7f, 0x80)),
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((edits) => {
      const copy = Uint8Array.from(file);
      for (const [at, value] of edits) copy[at] = value;
      return copy;
    }),
);
const truncated = fc
  .constantFrom(...valid)
  .chain((file) => fc.nat({ max: file.length - 1 }).map((n) => file.subarray(0, n)));
/** A zip's 4-byte fields set to extremes: sizes and offsets of 0, 0xFFFFFFFF, the file length. */
const zipFields = fc.constantFrom(...zips).chain((file) =>
  fc
    .array(
      fc.tuple(
        fc.nat({ max: file.length - 4 }),
        fc.constantFrom(0, 1, 0xffff, 0xffffffff, file.length, file.length - 22, 0x04034b50, 0x06054b50),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((edits) => {
      const copy = Buffer.from(file);
      for (const [at, value] of edits) copy.writeUInt32LE(value >>> 0, at);
      return copy;
    }),
);
/** A safetensors header with one tensor's field replaced by a hostile value. */
const hostile = fc.oneof(
  fc.constantFrom(
    null,
    true,
    -1,
    0,
    1.5,
    2 ** 53,
    1e308,
    '',
    'F16',
    'BF16',
    'I8',
    'F8_E4M3',
    [],
    {},
    [0],
    [0, 0],
  ),
  fc.array(fc.integer({ min: -2, max: 2 ** 33 }), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);
const headerFields = fc.constantFrom(...safetensors).chain((file) => {
  const length = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + length).toString('utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const buffer = file.subarray(8 + length);
  const names = Object.keys(header);
  return fc
    .tuple(
      fc.constantFrom(...names),
      fc.constantFrom('dtype', 'shape', 'data_offsets', 'extra', '__proto__'),
      hostile,
    )
    .map(([name, field, value]) => {
      const copy = JSON.parse(JSON.stringify(header)) as Record<string, Record<string, unknown>>;
      const entry = copy[name]!;
      Object.defineProperty(entry, field, { value, enumerable: true, configurable: true, writable: true });
      return safetensorsWithHeader(JSON.stringify(copy), buffer);
    });
});
const randomBytes = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  // Random bytes behind each format's magic, so the readers get past their first check.
  fc.uint8Array({ maxLength: 400 }).map((tail) => Buffer.concat([Buffer.from('PK\x03\x04'), tail])),
  fc.uint8Array({ maxLength: 400 }).map((tail) => {
    const head = Buffer.alloc(9);
    head.writeBigUInt64LE(BigInt(Math.min(tail.length + 1, 200)));
    head[8] = 0x7b;
    return Buffer.concat([head, tail]);
  }),
);

test('20,000 hostile weights files: a consistent filterbank or a 4xx FormatError, nothing else', () => {
  fc.assert(
    fc.property(
      fc.oneof(mutated, truncated, zipFields, headerFields, randomBytes),
      choice,
      (bytes, options) => {
        check(bytes, options);
      },
    ),
    { numRuns: 20_000, seed: 20261130 },
  );
});

test('every valid file still reads with its own choice (the generators start from readable files)', () => {
  for (const file of valid) {
    let ok = false;
    for (const tensor of [undefined, 'weight', 'filters', 'f16']) {
      for (const array of [undefined, 'weight', 'a']) {
        try {
          filterbankWeightsFromFile(file, {
            array: tensor === undefined ? array : undefined,
            tensor,
            maxInflatedBytes: 1 << 20,
          });
          ok = true;
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
        }
      }
    }
    assert.ok(ok);
  }
});
