// Trained weights as labs save them, end to end: .npz (np.savez, np.savez_compressed) and
// .safetensors (F16, BF16, F32, F64) files written by numpy, torch and the safetensors package
// (test/fixtures/weights, from scripts/reference/trained-weights.py), posted to
// /v1/analyze/filterbank (real redis-server, the app on a loopback port) and given to
// `fbstab analyze-filterbank` (a child process). A, B and κ match numpy's; HTTP and CLI print
// the same bytes; bad files, ambiguous choices and zip bombs get 4xx problem+json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import request from 'supertest';
import { filterbankWeightsFromFile } from '../../src/formats/filterbank-weights-from-file.js';
import { f32Bytes, npyOf, npyWithHeader, safetensorsOf, taps, zipLayout, zipOf } from './binary-files.js';
import { problemOf, startStack, type Stack } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/weights/', import.meta.url));
const fixture = (name: string) => readFileSync(join(fixtures, name));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-weights-'));
const fbstab = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'analyze-filterbank', ...args, '--compact'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );

interface Bounds {
  stride: number;
  signalLength: number;
  A: number;
  B: number;
  kappa: number;
}
interface FileInfo {
  format: 'npz' | 'safetensors';
  shape: number[];
  dtype: string;
  array?: string;
  tensor?: string;
  names?: string[];
  expected?: [Bounds, Bounds];
}
const files = (JSON.parse(fixture('expected.json').toString('utf8')) as { files: Record<string, FileInfo> })
  .files;
const analysed = Object.entries(files).filter(([, info]) => info.expected !== undefined);
const TYPE = { npz: 'application/x-npz', safetensors: 'application/x-safetensors' } as const;

let stack: Stack;
const post = (bytes: Uint8Array, query = '', type = 'application/octet-stream') =>
  request(stack.app.server)
    .post(`/v1/analyze/filterbank${query}`)
    .set('content-type', type)
    .send(Buffer.from(bytes));

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
after(async () => {
  await stack.close();
});

/**
 * numpy's A, B, κ against fbstab's. Both are double-precision FFTs of the same float64 taps: at
 * stride 1 they differ by roundoff of order 1e-16·log N relative (1e-12 leaves room); at stride 3
 * numpy's eigvalsh and fbstab's 3×3 eigenvalues add their own roundoff, 1e-10 relative.
 */
function assertBounds(body: Bounds, want: Bounds, what: string) {
  const tolerance = want.stride === 1 ? 1e-12 : 1e-10;
  assert.equal(body.stride, want.stride);
  assert.equal(body.signalLength, want.signalLength);
  for (const key of ['A', 'B', 'kappa'] as const) {
    const error = Math.abs(body[key] - want[key]) / Math.abs(want[key]);
    assert.ok(error < tolerance, `${what} ${key}: ${body[key]} vs numpy ${want[key]} (relative ${error})`);
  }
}

describe('files written by numpy, torch and safetensors', () => {
  for (const [name, info] of analysed) {
    const choice =
      info.array !== undefined
        ? `array=${info.array}`
        : info.tensor !== undefined
          ? `tensor=${info.tensor}`
          : '';
    test(`${name} (${info.dtype}, ${JSON.stringify(info.shape)}): numpy's A, B, κ; the CLI's bytes; the JSON form's bytes`, async () => {
      const bytes = fixture(name);
      const [whole, strided] = info.expected!;
      const sep = choice === '' ? '?' : `?${choice}&`;
      // application/octet-stream, recognised by its first bytes, and the format's own type.
      const sniffed = await post(bytes, choice === '' ? '' : `?${choice}`).expect(200);
      assertBounds(sniffed.body as Bounds, whole, name);
      const typed = await post(bytes, choice === '' ? '' : `?${choice}`, TYPE[info.format]).expect(200);
      assert.equal(typed.text, sniffed.text);
      const stridedRes = await post(
        bytes,
        `${sep}stride=${strided.stride}&signalLength=${strided.signalLength}`,
      ).expect(200);
      assertBounds(stridedRes.body as Bounds, strided, `${name} strided`);

      const cli = fbstab(
        join(fixtures, name),
        ...(info.array !== undefined ? ['--array', info.array] : []),
        ...(info.tensor !== undefined ? ['--tensor', info.tensor] : []),
      );
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(cli.stdout.trim(), sniffed.text);

      const bank = filterbankWeightsFromFile(bytes, {
        array: info.array,
        tensor: info.tensor,
        maxInflatedBytes: 1 << 20,
      });
      const rows = Array.from({ length: bank.numFilters }, (_, j) =>
        Array.from(bank.weights.subarray(j * bank.filterLength, (j + 1) * bank.filterLength)),
      );
      const json = await request(stack.app.server)
        .post('/v1/analyze/filterbank')
        .send({ weights: rows })
        .expect(200);
      assert.equal(json.text, sniffed.text);
    });
  }
});

describe('choices and shapes', () => {
  test('several arrays or tensors and no choice: 422 naming the field and listing the names, over HTTP and the CLI', async () => {
    for (const [name, field, option] of [
      ['conv1d-state-dict.npz', 'array', '--array'],
      ['conv1d-state-dict.safetensors', 'tensor', '--tensor'],
    ] as const) {
      const problem = problemOf(await post(fixture(name)).expect(422)) as ReturnType<typeof problemOf> & {
        names: string[];
      };
      assert.equal(problem.title, 'Unprocessable file');
      assert.deepEqual(
        problem.errors?.map((e) => e.path),
        [field],
      );
      assert.deepEqual([...problem.names].sort(), ['bias', 'weight']);
      assert.match(
        problem.detail,
        new RegExp(`holds 2 (arrays|tensors) \\(.*"weight".*\\): choose one with ${field}=NAME`),
      );
      const unknown = problemOf(await post(fixture(name), `?${field}=kernel`).expect(422));
      assert.match(unknown.detail, /holds no (array|tensor) "kernel"; it holds/);
      const bias = problemOf(await post(fixture(name), `?${field}=bias`).expect(400));
      assert.match(bias.detail, /'bias': expected shape \(J, T\) or \(J, 1, T\), got \(6,\)/);

      const cli = fbstab(join(fixtures, name));
      assert.equal(cli.status, 2);
      assert.match(cli.stderr, /choose one with .*\(CLI: --(array|tensor) NAME\)/);
      assert.equal(fbstab(join(fixtures, name), option, 'weight').status, 0);
    }
  });

  test('a two-channel Conv1d weight (J, 2, T): 422, only single-channel first layers, in every format', async () => {
    const npy = npyWithHeader(
      npyOf([[1, 2, 3, 4]], '<f8'),
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 1), }",
    );
    const stereo = [
      ['conv1d-2-channels.npz', fixture('conv1d-2-channels.npz')],
      ['conv1d-2-channels.safetensors', fixture('conv1d-2-channels.safetensors')],
      ['a .npy', npy],
    ] as const;
    for (const [name, bytes] of stereo) {
      const problem = problemOf(await post(bytes).expect(422));
      assert.match(problem.detail, /is a layer of 2 input channels: only single-channel first layers/, name);
    }
    const file = join(dir, 'stereo.safetensors');
    writeFileSync(file, fixture('conv1d-2-channels.safetensors'));
    const cli = fbstab(file);
    assert.equal(cli.status, 2);
    assert.match(cli.stderr, /only single-channel first layers/);
  });

  test('array and tensor: for their own format only; never beside a JSON body', async () => {
    const onSafetensors = problemOf(
      await post(fixture('filters-f64.safetensors'), '?array=filters').expect(400),
    );
    assert.deepEqual(
      onSafetensors.errors?.map((e) => e.path),
      ['array'],
    );
    const onNpy = problemOf(await post(npyOf(taps(2, 4), '<f8'), '?tensor=w').expect(400));
    assert.deepEqual(
      onNpy.errors?.map((e) => e.path),
      ['tensor'],
    );
    const onJson = problemOf(
      await request(stack.app.server)
        .post('/v1/analyze/filterbank?array=w')
        .send({ weights: taps(2, 4) })
        .expect(400),
    );
    assert.deepEqual(
      onJson.errors?.map((e) => e.path),
      ['array'],
    );
    problemOf(await post(fixture('conv1d-weight.npz'), `?array=${'x'.repeat(1001)}`).expect(400));
    assert.equal(fbstab(join(fixtures, 'conv1d-weight.npz'), '--tensor', 'w').status, 2);
  });

  test('a Content-Type naming another format than the file: 400 from that format’s reader', async () => {
    const asNpz = problemOf(
      await post(fixture('filters-f64.safetensors'), '', 'application/zip').expect(400),
    );
    assert.match(asNpz.detail, /malformed \.npz \(zip archive\)/);
    const asSafetensors = problemOf(
      await post(fixture('conv1d-weight.npz'), '', 'application/x-safetensors').expect(400),
    );
    assert.match(asSafetensors.detail, /malformed \.safetensors/);
    const unknown = problemOf(await post(Buffer.from('GIF89a, not weights')).expect(400));
    assert.match(unknown.detail, /unrecognised file: it does not start with the magic of \.npy/);
  });

  test('non-finite float16 / bfloat16 weights: 400 naming the element; int32: 415', async () => {
    for (const tensor of ['f16_inf', 'f16_nan', 'bf16_inf', 'bf16_nan']) {
      const problem = problemOf(
        await post(fixture('half-nonfinite.safetensors'), `?tensor=${tensor}`).expect(400),
      );
      assert.match(
        problem.detail,
        new RegExp(
          `tensor '${tensor}': element \\d \\(C order\\) is (-?Infinity|NaN); values must be finite`,
        ),
      );
    }
    const ints = safetensorsOf({ w: { dtype: 'I32', shape: [2, 3], bytes: Buffer.alloc(24) } });
    assert.match(problemOf(await post(ints).expect(415)).detail, /dtype I32: only F16, BF16, F32 and F64/);
  });
});

describe('zip bombs and lying archives: 4xx, never a 5xx', () => {
  const zeros = npyOf([Array.from({ length: 300_000 }, () => 0)], '<f8'); // 2.4 MB, deflates ~1000 : 1

  test('a declared size over MAX_BODY_BYTES: 413', async () => {
    const app = await stack.extraApp({ RATE_LIMIT_PER_MINUTE: '0', MAX_BODY_BYTES: String(1 << 20) });
    const res = await request(app.server)
      .post('/v1/analyze/filterbank')
      .set('content-type', 'application/x-npz')
      .send(zipOf([{ name: 'w.npy', data: zeros }]))
      .expect(413);
    assert.match(
      problemOf(res).detail,
      /declares 2400128 bytes uncompressed; at most 1048576 are inflated \(MAX_BODY_BYTES\)/,
    );
  });

  test('a ratio over 100 : 1: 413', async () => {
    const problem = problemOf(await post(zipOf([{ name: 'w.npy', data: zeros }])).expect(413));
    assert.match(problem.detail, /a ratio over 100 : 1; refused as a likely zip bomb/);
  });

  test('declared small, inflating to 50 MB: stopped past the declared size, 400', async () => {
    const deflated = deflateRawSync(new Uint8Array(50 * 1024 * 1024));
    const honest = zipOf([{ name: 'w.npy', data: npyOf(taps(2, 4), '<f8') }]);
    const { directory, end } = zipLayout(honest);
    const local = Buffer.from(honest.subarray(0, 35));
    local.writeUInt32LE(deflated.length, 18);
    const central = Buffer.from(honest.subarray(directory, end));
    central.writeUInt32LE(deflated.length, 20);
    const endRecord = Buffer.from(honest.subarray(end));
    endRecord.writeUInt32LE(local.length + deflated.length, 16);
    const problem = problemOf(await post(Buffer.concat([local, deflated, central, endRecord])).expect(400));
    assert.match(problem.detail, /inflates to more than the \d+ bytes it declares/);
  });

  test('a CRC-32 that does not match: 400', async () => {
    const zip = zipOf([{ name: 'w.npy', data: npyOf(taps(2, 4), '<f4'), method: 0 }]);
    const at = 30 + 'w.npy'.length + 128 + 2; // a byte of the float data, after the 128-byte .npy header
    zip.writeUInt8(zip.readUInt8(at) ^ 1, at);
    assert.match(problemOf(await post(zip).expect(400)).detail, /CRC-32 .* the data is corrupt/);
  });

  test('float32 safetensors with a header past the file: 400', async () => {
    const file = safetensorsOf({ w: { dtype: 'F32', shape: [1, 2], bytes: f32Bytes([1, 2]) } });
    file.writeUInt32LE(1 << 30, 0);
    assert.match(problemOf(await post(file).expect(400)).detail, /the header declares 1073741824 bytes/);
  });
});
