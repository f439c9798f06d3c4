// POST /v1/analyze/signal, /v1/analyze/filterbank and /v1/design end to end (real redis-server,
// the app on a loopback port): the answers are the CLI's JSON byte for byte, the .npy form equals
// the JSON form for every dtype and shape, hostile .npy files get 400/415 saying why, the cost
// limit answers 422, and a slow analysis does not hold up other requests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { analyzeFilterbank } from '../../src/experiments/analysis/analyze-filterbank.js';
import { analyzeFilterbankRequestSchema } from '../../src/experiments/analysis/analyze-filterbank-schema.js';
import { analyzeSignal } from '../../src/experiments/analysis/analyze-signal.js';
import { analyzeSignalRequestSchema } from '../../src/experiments/analysis/analyze-signal-schema.js';
import { design } from '../../src/experiments/analysis/design.js';
import { designRequestSchema } from '../../src/experiments/analysis/design-schema.js';
import { decodeWav } from '../../src/formats/decode-wav.js';
import {
  NPY_DTYPES,
  npyDataStart,
  npyOf,
  npyWithHeader,
  patched,
  taps,
  tone,
  wavOf,
} from './binary-files.js';
import { problemOf, startStack, type Stack } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fbstab-analysis-'));
const fbstab = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--compact'], {
    cwd: root,
    encoding: 'utf8',
  });

let stack: Stack;
const http = () => request(stack.app.server);
const npyPost = (bytes: Uint8Array, query = '') =>
  http()
    .post(`/v1/analyze/filterbank${query}`)
    .set('content-type', 'application/octet-stream')
    .send(Buffer.from(bytes));

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
after(async () => {
  await stack.close();
});

describe('POST /v1/analyze/signal', () => {
  test('the in-process analyzeSignal JSON, byte for byte, for a signal given inline', async () => {
    const body = {
      signal: { kind: 'samples', samples: Array.from(tone(300)), name: 'inline' },
      numFilters: [4, 40],
      filterLengths: [8, 32, 300],
      tailProbability: 0.1,
    };
    const res = await http().post('/v1/analyze/signal').send(body).expect(200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(res.text, JSON.stringify(analyzeSignal(analyzeSignalRequestSchema.parse(body))));
    const sine = { signal: { kind: 'sine', length: 64, frequency: 0.5 }, numFilters: 10, filterLengths: [8] };
    const r2 = await http().post('/v1/analyze/signal').send(sine).expect(200);
    assert.equal(r2.text, JSON.stringify(analyzeSignal(analyzeSignalRequestSchema.parse(sine))));
  });

  test('a tail probability too small for the exact law: 200, exact deviations null with a note', async () => {
    // Was a 500 (found by the webhook fuzz): 1 − p rounded to 1 and the quantile threw.
    const body = {
      signal: { kind: 'sine', length: 64, frequency: 0.1 },
      numFilters: [10],
      filterLengths: [8],
      tailProbability: 5.39e-302,
    };
    const res = await http().post('/v1/analyze/signal').send(body).expect(200);
    const cell = JSON.stringify(res.body);
    assert.match(cell, /"exactUpper":null/);
    assert.match(cell, /must both be at least 1e-10/);
  });

  test('a stored WAV gives exactly what `fbstab analyze-signal` prints for the file', async () => {
    const bytes = wavOf(2, '24', 700, 22050);
    const file = join(dir, 'tone.wav');
    writeFileSync(file, bytes);
    const cli = fbstab('analyze-signal', file, '--J', '10,20', '--T', '8,64,700');
    assert.equal(cli.status, 0, cli.stderr);
    const { id } = (await http().post('/v1/signals').set('content-type', 'audio/wav').send(bytes).expect(201))
      .body as { id: string };
    const res = await http()
      .post('/v1/analyze/signal')
      .send({
        signal: { kind: 'stored', id, name: 'tone.wav' },
        numFilters: [10, 20],
        filterLengths: [8, 64, 700],
      })
      .expect(200);
    assert.equal(res.text, cli.stdout.trim());
    // Without a name, the stored signal's own name (or its kind) labels the cells.
    const { id: named } = (
      await http().post('/v1/signals?name=mine').set('content-type', 'audio/wav').send(bytes).expect(201)
    ).body as { id: string };
    const labelled = await http()
      .post('/v1/analyze/signal')
      .send({ signal: { kind: 'stored', id: named }, numFilters: 10, filterLengths: [8] })
      .expect(200);
    assert.equal((labelled.body as { cells: { signal: string }[] }).cells[0]?.signal, 'mine');
    const stored = new Map([[named, { name: 'mine', samples: decodeWav(bytes).samples, sampleRate: 22050 }]]);
    const expected = analyzeSignal(
      analyzeSignalRequestSchema.parse({
        signal: { kind: 'stored', id: named },
        numFilters: 10,
        filterLengths: [8],
      }),
      stored,
    );
    assert.equal(labelled.text, JSON.stringify(expected));
  });

  test('400 naming the field: unknown stored id, T longer than a stored signal, T > N inline, zero signal', async () => {
    const unknown = problemOf(
      await http()
        .post('/v1/analyze/signal')
        .send({ signal: { kind: 'stored', id: 'nope' }, numFilters: 2, filterLengths: [2] })
        .expect(400),
    );
    assert.deepEqual(
      unknown.errors?.map((e) => e.path),
      ['signal.id'],
    );
    const { id } = (
      await http()
        .post('/v1/signals')
        .send({ samples: [1, 2, 3, 4] })
        .expect(201)
    ).body as { id: string };
    const long = problemOf(
      await http()
        .post('/v1/analyze/signal')
        .send({ signal: { kind: 'stored', id }, numFilters: 2, filterLengths: [2, 5] })
        .expect(400),
    );
    assert.deepEqual(
      long.errors?.map((e) => e.path),
      ['filterLengths[1]'],
    );
    const inline = problemOf(
      await http()
        .post('/v1/analyze/signal')
        .send({ signal: { kind: 'impulse', length: 4 }, numFilters: 2, filterLengths: [8] })
        .expect(400),
    );
    assert.deepEqual(
      inline.errors?.map((e) => e.path),
      ['filterLengths[0]'],
    );
    const zero = problemOf(
      await http()
        .post('/v1/analyze/signal')
        .send({ signal: { kind: 'samples', samples: [0, 0, 0] }, numFilters: 2, filterLengths: [2] })
        .expect(400),
    );
    assert.deepEqual(
      zero.errors?.map((e) => e.path),
      ['signal'],
    );
    assert.match(zero.detail, /zero energy/);
  });

  test('a 0.3 s analysis runs off the event loop: requests sent meanwhile are answered before it', async () => {
    // T = 1024 on 22050 samples: an eigenproblem of 1024 (about 0.2 s) plus the exact quantiles.
    const slow = http()
      .post('/v1/analyze/signal')
      .send({
        signal: { kind: 'white-noise', length: 22050, seed: 3 },
        numFilters: 10,
        filterLengths: [1024],
      })
      .then((r) => ({ at: performance.now(), status: r.status }));
    await new Promise((r) => setTimeout(r, 30));
    const quick = await http()
      .get('/healthz')
      .expect(200)
      .then(() => performance.now());
    const done = await slow;
    assert.equal(done.status, 200);
    // (POST /v1/design now runs on the same analysis threads, so it waits its turn.)
    assert.ok(quick < done.at, 'the quick request finished first');
  });
});

describe('POST /v1/analyze/filterbank', () => {
  const rows = taps(6, 24);
  const f32 = rows.map((r) => r.map((v) => Math.fround(v)));

  test('.npy of every dtype, (J, T) and (J, 1, T), versions 1–3, equals the JSON form and the in-process analysis', async () => {
    for (const dtype of NPY_DTYPES) {
      const weights = dtype.endsWith('4') ? f32 : rows;
      const json = { weights, stride: 2, signalLength: 96 };
      const viaJson = await http().post('/v1/analyze/filterbank').send(json).expect(200);
      assert.equal(
        viaJson.text,
        JSON.stringify(analyzeFilterbank(analyzeFilterbankRequestSchema.parse(json))),
      );
      for (const layout of ['JT', 'J1T'] as const) {
        for (const version of [1, 2, 3] as const) {
          const res = await npyPost(npyOf(rows, dtype, layout, version), '?stride=2&signalLength=96').expect(
            200,
          );
          assert.equal(res.text, viaJson.text, `${dtype} ${layout} v${version}`);
        }
      }
    }
  });

  test('defaults (stride 1, N = max(1024, nextPow2(T))) and the CLI on the same file', async () => {
    const bytes = npyOf(rows, '<f8');
    const file = join(dir, 'bank.npy');
    writeFileSync(file, bytes);
    const cli = fbstab('analyze-filterbank', file);
    assert.equal(cli.status, 0, cli.stderr);
    const res = await npyPost(bytes).expect(200);
    assert.equal(res.text, cli.stdout.trim());
    const body = res.body as { stride: number; signalLength: number; littlewoodPaley: { values: number[] } };
    assert.equal(body.stride, 1);
    assert.equal(body.signalLength, 1024);
    assert.equal(
      (await http().post('/v1/analyze/filterbank').send({ weights: rows }).expect(200)).text,
      res.text,
    );
  });

  test('a stride that does not divide N: 400 naming stride, in both forms', async () => {
    const npy = problemOf(await npyPost(npyOf(rows, '<f8'), '?stride=3&signalLength=1000').expect(400));
    assert.deepEqual(
      npy.errors?.map((e) => e.path),
      ['stride'],
    );
    assert.match(npy.detail, /stride 3 does not divide signalLength 1000/);
    const json = problemOf(
      await http()
        .post('/v1/analyze/filterbank')
        .send({ weights: rows, stride: 3, signalLength: 1000 })
        .expect(400),
    );
    assert.deepEqual(
      json.errors?.map((e) => e.path),
      ['stride'],
    );
    const byDefault = problemOf(await npyPost(npyOf(rows, '<f8'), '?stride=3').expect(400));
    assert.match(byDefault.detail, /does not divide signalLength 1024 \(the default\)/);
    const short = problemOf(await npyPost(npyOf(rows, '<f8'), '?signalLength=16').expect(400));
    assert.deepEqual(
      short.errors?.map((e) => e.path),
      ['signalLength'],
    );
  });

  test('query parameters: validated for .npy, refused beside a JSON body', async () => {
    const bad = problemOf(await npyPost(npyOf(rows, '<f8'), '?stride=0').expect(400));
    assert.deepEqual(
      bad.errors?.map((e) => e.path),
      ['stride'],
    );
    problemOf(await npyPost(npyOf(rows, '<f8'), '?stride=abc').expect(400));
    problemOf(await npyPost(npyOf(rows, '<f8'), '?unknown=1').expect(400));
    const mixed = problemOf(
      await http().post('/v1/analyze/filterbank?stride=2').send({ weights: rows }).expect(400),
    );
    assert.deepEqual(
      mixed.errors?.map((e) => e.path),
      ['stride'],
    );
  });

  describe('hostile .npy files: 400, 415 or 422 problem+json whose detail names the problem', () => {
    const good = npyOf(taps(3, 4), '<f8');
    const start = npyDataStart(good);
    const cases: [string, () => Buffer, number, RegExp][] = [
      ['not .npy at all', () => Buffer.from('GIF89a, an image'), 400, /does not start with the magic/],
      [
        'a zip that is not an .npz',
        () => Buffer.from('PK\x03\x04 a zip file'),
        400,
        /malformed \.npz \(zip archive\)/,
      ],
      ['truncated header', () => good.subarray(0, 8), 400, /truncated \.npy header: 8 bytes/],
      [
        'header cut short',
        () => good.subarray(0, 40),
        400,
        /truncated \.npy header: it declares \d+ bytes, but only 30 follow/,
      ],
      [
        'lying header size',
        () => patched(good, (v) => v.setUint16(8, 5000, true)),
        400,
        /declares 5000 bytes/,
      ],
      [
        'header over 10 000 bytes',
        () => patched(good, (v) => v.setUint16(8, 60000, true)),
        400,
        /declares 60000 bytes; at most 10000/,
      ],
      [
        'unknown version',
        () => patched(good, (v) => v.setUint8(6, 9)),
        400,
        /unsupported \.npy version 9\.0/,
      ],
      [
        'Fortran order',
        () => npyWithHeader(good, "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 4), }"),
        415,
        /Fortran-order/,
      ],
      [
        'object dtype',
        () => npyWithHeader(good, "{'descr': '|O', 'fortran_order': False, 'shape': (3, 4), }"),
        415,
        /unsupported dtype '\|O' \(Python objects\)/,
      ],
      [
        'integer dtype',
        () => npyWithHeader(good, "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 4), }"),
        415,
        /unsupported dtype '<i8'/,
      ],
      [
        'structured dtype',
        () => npyWithHeader(good, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 4), }"),
        415,
        /structured dtypes/,
      ],
      [
        'malformed dict',
        () => npyWithHeader(good, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)"),
        400,
        /malformed \.npy header/,
      ],
      [
        'Python code in the header',
        () => npyWithHeader(good, "{'descr': __import__('os'), 'fortran_order': False, 'shape': (3, 4), }"),
        400,
        /malformed \.npy header/,
      ],
      [
        'NaN weight',
        () => patched(good, (v) => v.setFloat64(start + 8 * 5, Number.NaN, true)),
        400,
        /element 5 \(C order\) is NaN/,
      ],
      [
        'Infinity weight',
        () => patched(good, (v) => v.setFloat64(start, Infinity, true)),
        400,
        /element 0 \(C order\) is Infinity/,
      ],
      [
        'empty array',
        () =>
          npyWithHeader(
            good.subarray(0, start),
            "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4), }",
          ),
        400,
        /the array is empty/,
      ],
      [
        'data shorter than the shape',
        () => good.subarray(0, good.length - 8),
        400,
        /data is 88 bytes, but shape \(3, 4\) of '<f8' needs 96/,
      ],
      ['data longer than the shape', () => Buffer.concat([good, Buffer.alloc(8)]), 400, /needs 96/],
      [
        'shape (J,) of a vector',
        () => npyWithHeader(good, "{'descr': '<f8', 'fortran_order': False, 'shape': (12,), }"),
        400,
        /expected shape \(J, T\) or \(J, 1, T\), got \(12,\)/,
      ],
      [
        'shape (J, 2, T) of two channels',
        () => npyWithHeader(good, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2, 2), }"),
        422,
        /shape \(3, 2, 2\) is a layer of 2 input channels: only single-channel first layers/,
      ],
      ['empty body', () => Buffer.alloc(0), 400, /empty/],
    ];
    for (const [name, make, status, detail] of cases) {
      test(`${name}: ${status}`, async () => {
        const problem = problemOf(await npyPost(make()).expect(status));
        assert.match(problem.detail, detail);
      });
    }
  });

  test('JSON: ragged rows, NaN-like values, empty weights: 400 naming the field', async () => {
    const ragged = problemOf(
      await http()
        .post('/v1/analyze/filterbank')
        .send({ weights: [[1, 2], [3]] })
        .expect(400),
    );
    assert.deepEqual(
      ragged.errors?.map((e) => e.path),
      ['weights[1]'],
    );
    const text = problemOf(
      await http()
        .post('/v1/analyze/filterbank')
        .send({ weights: [[1, 'NaN']] })
        .expect(400),
    );
    assert.deepEqual(
      text.errors?.map((e) => e.path),
      ['weights[0][1]'],
    );
    problemOf(await http().post('/v1/analyze/filterbank').send({ weights: [] }).expect(400));
    problemOf(
      await http()
        .post('/v1/analyze/filterbank')
        .send({ weights: [[]] })
        .expect(400),
    );
  });

  test('415 for other content types, naming the accepted ones', async () => {
    for (const type of ['audio/wav', 'text/plain', 'application/x-npy']) {
      const problem = problemOf(
        await http()
          .post('/v1/analyze/filterbank')
          .set('content-type', type)
          .send(npyOf(rows, '<f8'))
          .expect(415),
      );
      assert.match(problem.detail, /send application\/json or application\/octet-stream/);
    }
    problemOf(
      await http()
        .post('/v1/analyze/signal')
        .set('content-type', 'application/octet-stream')
        .send(Buffer.from('x'))
        .expect(415),
    );
    problemOf(
      await http().post('/v1/design').set('content-type', 'audio/wav').send(wavOf(1, '16')).expect(415),
    );
  });
});

test('422 with the cost and the limit when an analysis exceeds MAX_ANALYSIS_COST', async () => {
  const app = await stack.extraApp({ MAX_ANALYSIS_COST: '0.0001', RATE_LIMIT_PER_MINUTE: '0' });
  for (const [path, body] of [
    [
      '/v1/analyze/signal',
      { signal: { kind: 'impulse', length: 4096 }, numFilters: 10, filterLengths: [512] },
    ],
    ['/v1/analyze/filterbank', { weights: taps(64, 256), stride: 4 }],
    ['/v1/design', { filterLengths: [8], targetKappa: 2 }],
  ] as const) {
    const problem = problemOf(await request(app.server).post(path).send(body).expect(422)) as ReturnType<
      typeof problemOf
    > & {
      cost: number;
      limit: number;
    };
    assert.equal(problem.limit, 0.0001);
    assert.ok(problem.cost > 0.0001);
    assert.match(
      problem.detail,
      /estimated cost [\d.]+ core-seconds exceeds the limit of 0\.0001 \(MAX_ANALYSIS_COST\)/,
    );
  }
});

describe('POST /v1/design', () => {
  test('J_min by search on the predictor, the paper’s ⌈c²·log T·((κ*+1)/(κ*−1))²⌉ beside it, null beyond 2^53', async () => {
    const formula = (T: number, k: number, c: number) =>
      Math.max(1, Math.ceil(c * c * Math.log(T) * ((k + 1) / (k - 1)) ** 2));
    const Ts = [1, 8, 1000];
    for (const [targetKappa, c, target] of [
      [1.5, undefined, undefined],
      [3, 1.3, 'median'],
    ] as const) {
      const body = {
        filterLengths: Ts,
        targetKappa,
        ...(c === undefined ? {} : { c }),
        ...(target === undefined ? {} : { target, signalLength: 4096 }),
      };
      const res = await http().post('/v1/design').send(body).expect(200);
      // The CLI's JSON byte for byte, computed in this process.
      assert.equal(res.text, JSON.stringify(design(designRequestSchema.parse(body))));
      // Exact integers; the product is never within 1e-12 of an integer for these inputs, where
      // the rule's guard against roundoff could round down.
      assert.deepEqual(
        (res.body as { asymptotic: { minNumFilters: number } }[]).map((r) => r.asymptotic),
        Ts.map((T) => ({ minNumFilters: formula(T, targetKappa, c ?? 2), c: c ?? 2 })),
      );
    }
    const huge = (
      await http()
        .post('/v1/design')
        .send({ filterLengths: [1024], targetKappa: 1 + 1e-12 })
        .expect(200)
    ).body as {
      minNumFilters: number | null;
      asymptotic: { minNumFilters: number | null };
      notes?: string[];
    }[];
    assert.equal(huge[0]?.minNumFilters, null);
    assert.equal(huge[0]?.asymptotic.minNumFilters, null);
    assert.match(huge[0]?.notes?.[0] ?? '', /targetKappa is too close to 1/);
    const bad = problemOf(
      await http()
        .post('/v1/design')
        .send({ filterLengths: [8], targetKappa: 1 })
        .expect(400),
    );
    assert.deepEqual(
      bad.errors?.map((e) => e.path),
      ['targetKappa'],
    );
  });
});
