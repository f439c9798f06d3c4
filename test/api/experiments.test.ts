// The experiment routes end to end: a real redis-server, in-process workers, the app on a
// loopback port. Requests are small (frame-bounds, N = 64, J = 4, T ∈ {4, 8}, 50 trials) so the
// file runs in a few seconds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { serializerCompiler } from 'fastify-type-provider-zod';
import request from 'supertest';
import { experimentResourceSchema } from '../../src/api/schemas/experiment.js';
import { kernelPreferenceFromEnvironment } from '../../src/config.js';
import type { SeededExperimentRequest } from '../../src/experiments/experiment-request.js';
import { runExperiment } from '../../src/experiments/run-experiment.js';
import { keys } from '../../src/store/redis-keys.js';
import { problemOf, readEvents, smallRequest, startStack, waitFor, type Stack } from './helpers.js';

interface Resource {
  id: string;
  status: string;
  progress: { completedTrials: number; totalTrials: number; fraction: number };
  request: SeededExperimentRequest;
  links: { self: string; events: string };
  result?: unknown;
  createdAt: string;
  finishedAt?: string;
}

/** An experiment of 100 trials finishes in well under a second; 15 s leaves room for a loaded CI machine. */
const FINISH_MS = 15_000;

let stack: Stack;
const http = () => request(stack.app.server);
const getResource = async (id: string) =>
  (await http().get(`/v1/experiments/${id}`).expect(200)).body as Resource;
const finished = (id: string) =>
  waitFor(
    () => getResource(id),
    (r) => ['succeeded', 'failed', 'cancelled'].includes(r.status),
    FINISH_MS,
    `${id} to finish`,
  );

before(async () => {
  stack = await startStack({ workers: true });
});
after(async () => {
  await stack.close();
});

describe('POST /v1/experiments', () => {
  test('202 with Location; the experiment runs to succeeded with the in-process result', async () => {
    const res = await http().post('/v1/experiments').send(smallRequest(100, 1234)).expect(202);
    const created = res.body as Resource;
    assert.equal(res.headers.location, `/v1/experiments/${created.id}`);
    assert.equal(created.links.self, res.headers.location);
    assert.equal(created.links.events, `${res.headers.location}/events`);
    assert.ok(['queued', 'running'].includes(created.status));
    assert.deepEqual(created.progress.totalTrials, 100 * 2);
    // Every default is filled in: the stored request is the one the workers ran.
    assert.deepEqual(created.request, {
      type: 'frame-bounds',
      seed: 1234,
      trials: 100,
      signalLength: 64,
      filterbank: { numFilters: 4, filterLengths: [4, 8], init: { scheme: 'paper' }, stride: 1 },
    });

    const done = await finished(created.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.progress, { completedTrials: 200, totalTrials: 200, fraction: 1 });
    assert.ok(done.finishedAt !== undefined && done.finishedAt >= done.createdAt);
    const expected = JSON.parse(
      JSON.stringify(
        runExperiment(done.request, undefined, undefined, undefined, kernelPreferenceFromEnvironment()),
      ),
    ) as unknown;
    assert.deepStrictEqual(done.result, expected);
  });

  test('a request without a seed gets one drawn and reported', async () => {
    const res = await http().post('/v1/experiments').send(smallRequest()).expect(202);
    const seed = (res.body as Resource).request.seed;
    assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
    await finished((res.body as Resource).id);
  });

  test('Idempotency-Key: a retry returns the first experiment; another body with the key is 409', async () => {
    const body = smallRequest(50, 7);
    const first = await http().post('/v1/experiments').set('Idempotency-Key', 'k-1').send(body).expect(202);
    // Key order does not matter: the body is compared as canonical JSON.
    const reordered = {
      filterbank: body.filterbank,
      signalLength: 64,
      seed: 7,
      trials: 50,
      type: 'frame-bounds',
    };
    const retry = await http()
      .post('/v1/experiments')
      .set('Idempotency-Key', 'k-1')
      .send(reordered)
      .expect(202);
    assert.equal((retry.body as Resource).id, (first.body as Resource).id);
    assert.equal(retry.headers.location, first.headers.location);

    const conflict = await http()
      .post('/v1/experiments')
      .set('Idempotency-Key', 'k-1')
      .send(smallRequest(51, 7))
      .expect(409);
    problemOf(conflict);
    await finished((first.body as Resource).id);
  });
  test('samples and long-digit parameters: the served request and result equal `fbstab run`, byte for byte', async () => {
    // Random doubles with all 17 significant digits: the store once re-encoded records in Lua
    // (cjson, 14 digits), so workers ran rounded samples and the result differed near 1e-14.
    let state = 0x9e3779b9;
    const random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32 - 0.5;
    };
    const samples = Array.from({ length: 257 }, () => random() * Math.PI);
    const body = {
      type: 'energy',
      seed: 2718281828,
      trials: 120,
      filterbank: { numFilters: [3, 6], filterLengths: [5, 64] },
      signals: [
        { kind: 'samples', samples, name: 'random', sampleRate: 22050 },
        { kind: 'samples', samples: samples.map((x) => x * 1e-3), normalize: false },
        { kind: 'sine', length: 200, frequency: Math.SQRT1_2 / 5, phase: Math.E / 2 },
      ],
    };
    const res = await http().post('/v1/experiments').send(body).expect(202);
    const done = await finished((res.body as Resource).id);
    assert.equal(done.status, 'succeeded');
    assert.deepStrictEqual(
      (done.request as { signals: { samples?: number[] }[] }).signals[0]!.samples,
      samples,
      'the stored request keeps every digit',
    );
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '-'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      input: JSON.stringify(body),
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(JSON.stringify(done.result), JSON.stringify(JSON.parse(cli.stdout)));
  });
});

describe('errors are problem+json', () => {
  test('invalid body: 400 naming each bad field', async () => {
    const res = await http()
      .post('/v1/experiments')
      .send({ type: 'frame-bounds', trials: 0, filterbank: { numFilters: 4, filterLengths: [4, 'x'] } })
      .expect(400);
    const problem = problemOf(res);
    const paths = (problem.errors ?? []).map((e) => e.path).sort();
    assert.deepEqual(paths, ['filterbank.filterLengths[1]', 'trials']);
    for (const e of problem.errors ?? []) assert.ok(e.message.length > 0);

    const energy = await http()
      .post('/v1/experiments')
      .send({
        type: 'energy',
        filterbank: { numFilters: 2, filterLengths: [4] },
        signals: [{ kind: 'bogus', length: 8 }],
      })
      .expect(400);
    assert.deepEqual(
      problemOf(energy).errors?.map((e) => e.path),
      ['signals[0].kind'],
    );

    // Cross-field rule of the schema (T ≤ N): the index of the offending T.
    const tooLong = await http()
      .post('/v1/experiments')
      .send({ type: 'frame-bounds', signalLength: 16, filterbank: { numFilters: 2, filterLengths: [4, 32] } })
      .expect(400);
    assert.deepEqual(
      problemOf(tooLong).errors?.map((e) => e.path),
      ['filterbank.filterLengths[1]'],
    );
  });

  test('malformed JSON: 400; wrong content type: 415; empty body: 400', async () => {
    const malformed = await http()
      .post('/v1/experiments')
      .set('content-type', 'application/json')
      .send('{"type": "energy",')
      .expect(400);
    assert.match(problemOf(malformed).detail, /JSON/);
    problemOf(await http().post('/v1/experiments').set('content-type', 'text/csv').send('a,b').expect(415));
    problemOf(
      await http().post('/v1/experiments').set('content-type', 'application/json').send('').expect(400),
    );
  });

  test('unknown and malformed ids, unknown routes: 404', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    problemOf(await http().get(`/v1/experiments/${unknown}`).expect(404));
    problemOf(await http().get('/v1/experiments/not-an-id').expect(404));
    problemOf(await http().post(`/v1/experiments/${unknown}/cancel`).expect(404));
    problemOf(await http().delete(`/v1/experiments/${unknown}`).expect(404));
    problemOf(await http().get(`/v1/experiments/${unknown}/events`).expect(404));
    problemOf(await http().get('/v1/nothing-here').expect(404));
  });

  test('bad query parameters: 400 naming the parameter', async () => {
    const res = await http().get('/v1/experiments?limit=0&status=done').expect(400);
    assert.deepEqual(
      problemOf(res)
        .errors?.map((e) => e.path)
        .sort(),
      ['limit', 'status'],
    );
    const cursor = await http().get('/v1/experiments?cursor=garbage').expect(400);
    assert.deepEqual(
      problemOf(cursor).errors?.map((e) => e.path),
      ['cursor'],
    );
  });
});

describe('reading experiments', () => {
  test('GET has a strong ETag; If-None-Match answers 304', async () => {
    const { id } = (await http().post('/v1/experiments').send(smallRequest()).expect(202)).body as Resource;
    await finished(id);
    const res = await http().get(`/v1/experiments/${id}`).expect(200);
    const etag = res.headers.etag;
    assert.match(etag ?? '', /^"[A-Za-z0-9_-]+"$/);
    const again = await http().get(`/v1/experiments/${id}`).expect(200);
    assert.equal(again.headers.etag, etag, 'the same state gives the same ETag');
    const notModified = await http().get(`/v1/experiments/${id}`).set('If-None-Match', etag!).expect(304);
    assert.equal(notModified.text, '');
    await http().get(`/v1/experiments/${id}`).set('If-None-Match', '"stale"').expect(200);
  });

  test('a finished experiment is served from its cached body, byte for byte the freshly built one', async () => {
    const { id } = (await http().post('/v1/experiments').send(smallRequest(80, 99)).expect(202))
      .body as Resource;
    const done = await finished(id);
    assert.equal(done.status, 'succeeded');
    // That GET stored the body; this one is served from it.
    assert.ok(await stack.redis.exists(keys.body(id)), 'the body is cached once the experiment is final');
    const cached = await http().get(`/v1/experiments/${id}`).expect(200);
    // Without the cache the route builds the resource afresh from record, progress and result.
    await stack.redis.del(keys.body(id));
    const fresh = await http().get(`/v1/experiments/${id}`).expect(200);
    assert.equal(cached.text, fresh.text);
    for (const header of ['content-type', 'etag', 'cache-control'])
      assert.equal(cached.headers[header], fresh.headers[header], header);
    assert.deepStrictEqual(JSON.parse(cached.text), {
      ...done,
      result: JSON.parse(
        JSON.stringify(
          runExperiment(done.request, undefined, undefined, undefined, kernelPreferenceFromEnvironment()),
        ),
      ) as unknown,
    });
    // The cache expires with the record and goes with it on DELETE.
    const ttl = await stack.redis.pttl(keys.body(id));
    const recordTtl = await stack.redis.pttl(keys.experiment(id));
    assert.ok(ttl > 0 && Math.abs(ttl - recordTtl) < 5_000, `body TTL ${ttl} ms, record TTL ${recordTtl} ms`);
    await http().delete(`/v1/experiments/${id}`).expect(204);
    assert.equal(await stack.redis.exists(keys.body(id)), 0);
    await http().get(`/v1/experiments/${id}`).expect(404);
  });

  test("a new experiment's 202 is byte for byte what the resource schema's serializer writes", async () => {
    // The route writes it with JSON.stringify (routes/experiments.ts); the schema's serializer
    // (zod parse, then JSON.stringify, in the schema's key order) must give the same bytes.
    const serializeResource = serializerCompiler({
      schema: experimentResourceSchema,
      method: 'POST',
      url: '/v1/experiments',
    }) as (data: unknown) => string;
    const bodies = [
      smallRequest(5, 1),
      {
        type: 'frame-bounds',
        trials: 4,
        signalLength: 64,
        filterbank: {
          numFilters: [3, 6],
          filterLengths: [4, 16],
          stride: 2,
          init: { scheme: 'custom', variance: 0.5 },
        },
      },
      {
        type: 'energy',
        seed: 9,
        trials: 4,
        filterbank: { numFilters: 5, filterLengths: [4, 8] },
        signals: [
          { kind: 'impulse', length: 64 },
          { kind: 'sine', length: 64, frequency: 0.125 },
          { kind: 'white-noise', length: 64 },
          { kind: 'brownian', length: 64 },
          { kind: 'samples', samples: Array.from({ length: 64 }, (_, i) => Math.sin(i) / 3 + 1e-300 * i) },
        ],
      },
    ];
    for (const body of bodies) {
      const res = await http().post('/v1/experiments').send(body).expect(202);
      assert.match(res.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/);
      assert.equal(res.text, serializeResource(JSON.parse(res.text)), JSON.stringify(body).slice(0, 80));
    }
  });

  test('running experiments are not cached: their progress moves', async () => {
    const { id } = (await http().post('/v1/experiments').send(smallRequest(200_000, 3)).expect(202))
      .body as Resource;
    await waitFor(
      () => getResource(id),
      (r) => r.progress.completedTrials > 0,
      FINISH_MS,
      'some progress',
    );
    assert.equal(await stack.redis.exists(keys.body(id)), 0);
    await http().post(`/v1/experiments/${id}/cancel`).expect(200);
    const cancelled = await http().get(`/v1/experiments/${id}`).expect(200);
    assert.equal((cancelled.body as Resource).status, 'cancelled');
    assert.equal(await stack.redis.exists(keys.body(id)), 1, 'a cancelled experiment is final too');
  });

  test('list: newest first, limit and cursor pages, status filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        ((await http().post('/v1/experiments').send(smallRequest(50, i)).expect(202)).body as Resource).id,
      );
    }
    for (const id of ids) await finished(id);
    const cancelledId = (
      (await http().post('/v1/experiments').send(smallRequest(50, 99)).expect(202)).body as Resource
    ).id;
    await http().post(`/v1/experiments/${cancelledId}/cancel`).expect(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/experiments?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = (await http().get(url).expect(200)).body as {
        items: Resource[];
        nextCursor: string | null;
      };
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 50);
    // Newest first, each once: the last six created are the first six listed, in reverse.
    assert.deepEqual(seen.slice(0, 6), [cancelledId, ...ids.slice().reverse()]);
    assert.equal(new Set(seen).size, seen.length);
    const createdAts = seen.length;
    assert.ok(createdAts >= 6);

    const cancelled = (await http().get('/v1/experiments?status=cancelled').expect(200)).body as {
      items: Resource[];
    };
    assert.ok(cancelled.items.every((r) => r.status === 'cancelled'));
    assert.ok(cancelled.items.some((r) => r.id === cancelledId));
    const succeeded = (await http().get('/v1/experiments?status=succeeded&limit=100').expect(200)).body as {
      items: Resource[];
      nextCursor: string | null;
    };
    assert.ok(succeeded.items.every((r) => r.status === 'succeeded'));
    for (const id of ids) assert.ok(succeeded.items.some((r) => r.id === id));
  });

  test('cancel of a finished experiment returns it unchanged (200); DELETE is 204, then 404', async () => {
    const { id } = (await http().post('/v1/experiments').send(smallRequest()).expect(202)).body as Resource;
    const done = await finished(id);
    const cancel = await http().post(`/v1/experiments/${id}/cancel`).expect(200);
    assert.equal((cancel.body as Resource).status, 'succeeded');
    assert.equal((cancel.body as Resource).finishedAt, done.finishedAt);
    const del = await http().delete(`/v1/experiments/${id}`).expect(204);
    assert.equal(del.text, '');
    problemOf(await http().get(`/v1/experiments/${id}`).expect(404));
    problemOf(await http().delete(`/v1/experiments/${id}`).expect(404));
    const list = (await http().get('/v1/experiments?limit=100').expect(200)).body as { items: Resource[] };
    assert.ok(!list.items.some((r) => r.id === id));
  });
});

describe('GET /v1/experiments/:id/events', () => {
  test('streams progress and the final status, then ends', async () => {
    // 2000 trials: long enough (tens of ms) that the stream usually opens while it runs.
    const { id } = (await http().post('/v1/experiments').send(smallRequest(2000, 5)).expect(202))
      .body as Resource;
    const stream = await readEvents(`${stack.base}/v1/experiments/${id}/events`);
    assert.equal(stream.status, 200);
    assert.match(stream.contentType ?? '', /^text\/event-stream/);
    const progress = stream.events.filter((e) => e.event === 'progress');
    assert.ok(progress.length >= 1, 'at least one progress event');
    let previous = -1;
    for (const e of progress) {
      const data = e.data as { completedTrials: number; totalTrials: number; fraction: number };
      assert.equal(data.totalTrials, 4000);
      assert.ok(data.fraction >= 0 && data.fraction <= 1);
      assert.ok(data.completedTrials > previous, 'completedTrials only grows');
      previous = data.completedTrials;
    }
    const last = stream.events.at(-1);
    assert.equal(last?.event, 'status');
    assert.deepEqual((last?.data as { id: string; status: string }).status, 'succeeded');
    assert.equal((last?.data as { id: string }).id, id);

    // A stream opened after the end: the current progress and the final status, then the end.
    const replay = await readEvents(`${stack.base}/v1/experiments/${id}/events`);
    assert.deepEqual(
      replay.events.map((e) => e.event),
      ['progress', 'status'],
    );
    assert.deepEqual(replay.events[0]?.data, { completedTrials: 4000, totalTrials: 4000, fraction: 1 });
  });
});

describe('operations', () => {
  test('healthz, readyz, metrics, openapi.yaml, docs, x-request-id', async () => {
    assert.deepEqual((await http().get('/healthz').expect(200)).body, { status: 'ok' });
    assert.deepEqual((await http().get('/readyz').expect(200)).body, { status: 'ready' });
    const metrics = await http().get('/metrics').expect(200);
    assert.match(metrics.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(
      metrics.text,
      /fbstab_http_requests_total\{method="POST",route="\/v1\/experiments",status_code="202"\} \d+/,
    );
    assert.match(metrics.text, /fbstab_http_request_duration_seconds_bucket\{/);
    assert.match(metrics.text, /fbstab_queue_jobs\{queue="fbstab-tasks",state="waiting"\} \d+/);
    assert.match(metrics.text, /fbstab_queue_jobs\{queue="fbstab-experiments",state="active"\} \d+/);
    const yaml = await http().get('/openapi.yaml').expect(200);
    assert.match(yaml.text, /^openapi: 3\.1\.0/);
    await http().get('/docs').redirects(1).expect(200);

    const echoed = await http().get('/healthz').set('x-request-id', 'trace-abc.123').expect(200);
    assert.equal(echoed.headers['x-request-id'], 'trace-abc.123');
    const generated = await http().get('/healthz').set('x-request-id', 'bad id\twith spaces').expect(200);
    assert.match(generated.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });
});
