// Hostile input (property-based, fast-check): at least 10,000 generated requests across every
// endpoint, WAV, .npy, .npz and .safetensors files among them. Every answer is < 500; every 4xx
// is problem+json without internals; the server stays alive; experiments stored before the
// barrage are unchanged after it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { keys } from '../../src/store/redis-keys.js';
import { readFileSync } from 'node:fs';
import { npyOf, taps, wavOf, zipOf } from '../api/binary-files.js';
import { startStack, type Stack } from '../api/helpers.js';

let stack: Stack;
let agentBase: string;

before(async () => {
  // No rate limit (the barrage would hit it) and no workers: valid submissions just queue.
  // MAX_ANALYSIS_COST of 50 ms: valid analyses run (off the event loop), long ones get 422.
  stack = await startStack({
    env: { RATE_LIMIT_PER_MINUTE: '0', MAX_BODY_BYTES: String(256 * 1024), MAX_ANALYSIS_COST: '0.05' },
  });
  agentBase = stack.base;
});
after(async () => {
  await stack.close();
});

const valid = {
  type: 'energy',
  seed: 1,
  trials: 10,
  filterbank: { numFilters: 2, filterLengths: [4, 8] },
  signals: [{ kind: 'impulse', length: 16 }],
};

/** Values that break naive code: wrong types, extremes, prototype keys, deep nesting, big arrays. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    -0,
    1e308,
    -1e308,
    2 ** 53 + 1,
    4294967296,
    1e-320,
    '',
    'NaN',
    'Infinity',
    '1e999',
    '__proto__',
    '\u0000',
    '\uD800',
    '<script>',
    '../../etc/passwd',
    [],
    {},
  ),
  fc.string({ maxLength: 50 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 20 }),
  fc.constant(Array.from({ length: 20_000 }, (_, i) => i)),
  fc.nat({ max: 2000 }).map((depth) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  }),
  fc.nat({ max: 2000 }).map((depth) => {
    let v: unknown = [];
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  }),
  fc.jsonValue({ maxDepth: 4 }),
);

/** `body` with the field at `path` replaced by `value` (deleted when undefined), as JSON text. */
function mutate(body: unknown, path: (string | number)[], value: unknown): string {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else Object.defineProperty(node, last, { value, enumerable: true, configurable: true, writable: true });
  return JSON.stringify(copy);
}

/** Mutations of one valid body: one field (at any depth) replaced, deleted, or a prototype key added. */
const mutationsOf = (bodies: fc.Arbitrary<unknown>, paths: (string | number)[][]) =>
  fc
    .tuple(
      bodies,
      fc.constantFrom(...paths, ['__proto__'], ['constructor']),
      fc.oneof(hostileValue, fc.constant(undefined)),
    )
    .map(([body, path, value]) => mutate(body, path, value));

/** A valid experiment body with one field (at any depth) replaced, deleted, or a prototype key added. */
const mutatedBody = mutationsOf(
  fc.constantFrom('energy', 'frame-bounds').map((type) => ({ ...valid, type })),
  [
    ['type'],
    ['seed'],
    ['trials'],
    ['filterbank'],
    ['filterbank', 'numFilters'],
    ['filterbank', 'filterLengths'],
    ['filterbank', 'filterLengths', 0],
    ['filterbank', 'init'],
    ['filterbank', 'stride'],
    ['signals'],
    ['signals', 0],
    ['signals', 0, 'kind'],
    ['signals', 0, 'length'],
    ['signals', 0, 'position'],
    ['tailProbability'],
    ['filterbank', '__proto__'],
    ['signals', 0, 'constructor'],
  ],
);

/** Valid bodies of the signal, analysis and design endpoints, each with one hostile field. */
const validUpload = { samples: [0.5, -1, 0.25, 2], sampleRate: 8000, name: 'x' };
const validAnalyzeSignal = {
  signal: { kind: 'sine', length: 64, frequency: 0.25 },
  numFilters: [2, 8],
  filterLengths: [4, 16],
  tailProbability: 0.05,
  init: { scheme: 'paper' },
};
const validAnalyzeFilterbank = { weights: taps(3, 8), stride: 2, signalLength: 64 };
const validDesign = { filterLengths: [8, 64], targetKappa: 2, c: 2 };
const endpointBody: fc.Arbitrary<{ path: string; body: string }> = fc.oneof(
  mutationsOf(fc.constant(validUpload), [
    ['samples'],
    ['samples', 0],
    ['samples', 3],
    ['sampleRate'],
    ['name'],
  ]).map((body) => ({ path: '/v1/signals', body })),
  mutationsOf(fc.constant(validAnalyzeSignal), [
    ['signal'],
    ['signal', 'kind'],
    ['signal', 'length'],
    ['signal', 'frequency'],
    ['signal', 'id'],
    ['signal', 'samples'],
    ['numFilters'],
    ['numFilters', 1],
    ['filterLengths'],
    ['filterLengths', 0],
    ['tailProbability'],
    ['init'],
    ['init', 'scheme'],
    ['init', 'variance'],
  ]).map((body) => ({ path: '/v1/analyze/signal', body })),
  mutationsOf(fc.constant(validAnalyzeFilterbank), [
    ['weights'],
    ['weights', 0],
    ['weights', 1, 3],
    ['weights', 2],
    ['stride'],
    ['signalLength'],
  ]).map((body) => ({ path: '/v1/analyze/filterbank', body })),
  mutationsOf(fc.constant(validDesign), [
    ['filterLengths'],
    ['filterLengths', 0],
    ['targetKappa'],
    ['c'],
  ]).map((body) => ({ path: '/v1/design', body })),
);

const weightsFixture = (name: string) =>
  readFileSync(new URL(`../fixtures/weights/${name}`, import.meta.url));
/**
 * Valid files, truncated files, files with a few bytes changed, and random bytes. The .npz and
 * .safetensors files are numpy's, torch's and safetensors' (test/fixtures/weights), stored and
 * deflated, one array and several, every safetensors dtype the service reads.
 */
const validFiles = [
  wavOf(2, '16', 64),
  wavOf(1, '32f', 64),
  wavOf(1, '8', 64),
  npyOf(taps(3, 8), '<f8'),
  npyOf(taps(2, 4), '>f4', 'J1T', 2),
  weightsFixture('conv1d-weight.npz'),
  weightsFixture('conv1d-state-dict.npz'),
  weightsFixture('filters-f8-big-endian.npz'),
  zipOf([{ name: 'w.npy', data: npyOf(taps(3, 8), '<f4') }]),
  weightsFixture('conv1d-state-dict.safetensors'),
  weightsFixture('conv1d-weight-f16.safetensors'),
  weightsFixture('conv1d-weight-bf16.safetensors'),
  weightsFixture('filters-f64.safetensors'),
  weightsFixture('half-edges.safetensors'),
];
const binaryBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.constantFrom(...validFiles),
  fc
    .constantFrom(...validFiles)
    .chain((file) => fc.nat({ max: file.length - 1 }).map((n) => file.subarray(0, n))),
  fc.constantFrom(...validFiles).chain((file) =>
    fc
      .array(fc.tuple(fc.nat({ max: file.length - 1 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 6,
      })
      .map((edits) => {
        const copy = Uint8Array.from(file);
        for (const [at, value] of edits) copy[at] = value;
        return copy;
      }),
  ),
  // A header from the front of the file: the first 64 bytes of each edited over and over.
  fc.constantFrom(...validFiles).chain((file) =>
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((tail) => {
      const out = new Uint8Array(64 + tail.length);
      out.set(file.subarray(0, 64));
      out.set(tail, 64);
      return out;
    }),
  ),
);
const binaryType = fc.constantFrom(
  'audio/wav',
  'audio/x-wav',
  'audio/wave',
  'audio/vnd.wave',
  'application/octet-stream',
  'application/octet-stream',
  'application/x-npz',
  'application/zip',
  'application/x-safetensors',
  'application/json',
  'text/plain',
  'audio/mpeg',
  '',
);
const analysisQuery = fc
  .array(
    fc.tuple(
      fc.constantFrom('stride', 'signalLength', 'name', '__proto__', 'array', 'tensor'),
      fc.oneof(
        fc.constantFrom('1', '2', '3', '0', '-1', '64', '1024', '1e9', 'NaN', '', '4097'),
        fc.constantFrom('weight', 'bias', 'arr_0', 'filters', 'f16', 'bf16', '__proto__', 'constructor'),
        fc.string({ maxLength: 10 }),
      ),
    ),
    { maxLength: 3 },
  )
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
  );

const rawBody = fc.oneof(
  mutatedBody,
  hostileValue.map((v) => JSON.stringify(v) ?? 'undefined'),
  mutatedBody.chain((s) => fc.nat({ max: Math.max(0, s.length - 1) }).map((n) => s.slice(0, n))), // truncated
  fc.string({ maxLength: 200 }),
  fc.constant('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
  fc.constant(`{"type":"energy","signals":[${'{"kind":"impulse","length":4},'.repeat(5000)}{}]}`),
);

const oddId = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '..',
    '%2e%2e',
    '%00',
    'null',
    'undefined',
    '0',
    '-1',
    'a'.repeat(5000),
    '💥',
    '<x>',
    '%',
    '%ZZ',
    '?',
    '#',
  ),
);
const oddQuery = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'cursor', 'status', 'limit', '__proto__', 'x', ''),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('-1', '0', '101', '1e9', 'NaN', 'running', 'succeeded', 'nope', '[]', '%00'),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'audio/wav',
  '',
  'application/json; charset=latin1',
);

interface Call {
  method: string;
  path: string;
  contentType?: string;
  body?: string | Uint8Array;
}

const call: fc.Arbitrary<Call> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      method: fc.constant('POST'),
      path: fc.constant('/v1/experiments'),
      contentType,
      body: rawBody,
    }),
  },
  { weight: 1, arbitrary: oddQuery.map((q) => ({ method: 'GET', path: `/v1/experiments?${q}` })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('GET', 'DELETE', 'POST', 'PUT', 'PATCH'),
        oddId,
        fc.constantFrom('', '/cancel', '/events', '/plots/x.svg', '/../..'),
      )
      .map(([method, id, suffix]) => ({
        method,
        path: `/v1/experiments/${encodeURIComponent(id)}${suffix}`,
      })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        endpointBody,
        fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', ''),
      )
      .map(([{ path, body }, contentType]) => ({ method: 'POST', path, contentType, body })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/v1/signals', '/v1/analyze/filterbank', '/v1/analyze/signal'),
        analysisQuery,
        binaryType,
        binaryBody,
      )
      .map(([path, query, contentType, body]) => ({
        method: 'POST',
        path: `${path}${query}`,
        contentType,
        body,
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('GET', 'DELETE', 'POST', 'PUT'), oddId)
      .map(([method, id]) => ({ method, path: `/v1/signals/${encodeURIComponent(id)}` })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constantFrom('POST', 'GET', 'DELETE'),
      path: fc.constantFrom(
        '/v1/signals',
        '/v1/analyze/signal',
        '/v1/analyze/filterbank',
        '/v1/design',
        '/v1/presets',
        '/',
        '/nope',
        '/v1',
      ),
      contentType,
      body: rawBody,
    }),
  },
);

async function send(c: Call): Promise<{ status: number; contentType: string; text: string }> {
  const init: RequestInit = { method: c.method, signal: AbortSignal.timeout(10_000) };
  if (c.body !== undefined && c.method !== 'GET') {
    init.body = c.body;
    init.headers =
      c.contentType === undefined || c.contentType === '' ? {} : { 'content-type': c.contentType };
  }
  const res = await fetch(`${agentBase}${c.path}`, init);
  // Event streams of real experiments would stay open; these ids never exist, so they 404.
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
}

test('10,000 hostile requests: never a 5xx, every error is problem+json without internals, nothing stored changes', async () => {
  const seeded = await send({
    method: 'POST',
    path: '/v1/experiments',
    contentType: 'application/json',
    body: JSON.stringify(valid),
  });
  assert.equal(seeded.status, 202);
  const id = (JSON.parse(seeded.text) as { id: string }).id;
  const before = await fetch(`${agentBase}/v1/experiments/${id}`);
  const etag = before.headers.get('etag');
  const snapshot = await before.text();
  const signal = await send({
    method: 'POST',
    path: '/v1/signals',
    contentType: 'audio/wav',
    body: validFiles[0]!,
  });
  assert.equal(signal.status, 201);
  const signalId = (JSON.parse(signal.text) as { id: string }).id;
  const signalSnapshot = await (await fetch(`${agentBase}/v1/signals/${signalId}`)).text();
  const samplesSnapshot = await stack.redis.getBuffer(keys.signalSamples(signalId));

  let count = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(call, async (c) => {
      count++;
      const res = await send(c);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const shown =
        c.body instanceof Uint8Array
          ? `<${c.body.length} bytes: ${Buffer.from(c.body.subarray(0, 48)).toString('hex')}…>`
          : String(c.body);
      const where = `${c.method} ${c.path.slice(0, 120)} [${c.contentType ?? ''}] ${shown.slice(0, 200)}`;
      assert.ok(res.status < 500, `${res.status} for ${where}: ${res.text.slice(0, 300)}`);
      if (res.status >= 400) {
        assert.match(res.contentType, /^application\/problem\+json/, where);
        const problem = JSON.parse(res.text) as Record<string, unknown>;
        for (const field of ['type', 'title', 'status', 'detail'])
          assert.ok(field in problem, `${field} in ${res.text}`);
        assert.equal(problem.status, res.status);
        assert.doesNotMatch(
          res.text,
          /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error: /,
          `internals leaked for ${where}`,
        );
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype polluted');
    }),
    { numRuns: 10_000, seed: 20241127, endOnFailure: true },
  );
  assert.ok(count >= 10_000);
  const health = await fetch(`${agentBase}/healthz`);
  assert.equal(health.status, 200, 'the server is alive');
  const afterRes = await fetch(`${agentBase}/v1/experiments/${id}`);
  assert.equal(afterRes.headers.get('etag'), etag, 'the stored experiment is unchanged');
  assert.equal(await afterRes.text(), snapshot);
  assert.equal(
    await (await fetch(`${agentBase}/v1/signals/${signalId}`)).text(),
    signalSnapshot,
    'the stored signal is unchanged',
  );
  assert.deepEqual(await stack.redis.getBuffer(keys.signalSamples(signalId)), samplesSnapshot);
  console.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
});
