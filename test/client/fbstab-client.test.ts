// The typed client (src/client, docs/api.md "Client") against the real service: a real Redis,
// the real API on a port, real workers. Peers of its own only where the service cannot be made
// to answer so (a 503 with an HTTP-date Retry-After, a reset connection).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  FbstabClient,
  FbstabConnectionError,
  FbstabProblemError,
  type ExperimentRequestInput,
  type Progress,
  type RetryEvent,
} from '../../src/client/index.js';
import { encodeNpy } from '../../src/formats/encode-npy.js';
import { encodeWav } from '../../src/formats/encode-wav.js';
import { smallRequest as untypedSmallRequest, startStack, type Stack } from '../api/helpers.js';
import { freePort } from '../support/redis-server.js';
import { eventBreakingProxy, scriptedServer } from './http-peers.js';

/** The small frame-bounds request of the API tests, as the client's type. */
const smallRequest = (trials?: number, seed?: number): ExperimentRequestInput => ({
  ...untypedSmallRequest(trials, seed),
  type: 'frame-bounds',
});

/** Enough trials that the workers publish progress while it runs. */
const progressingRequest = (seed: number) => ({
  type: 'frame-bounds' as const,
  trials: 3000,
  seed,
  signalLength: 256,
  filterbank: { numFilters: 8, filterLengths: [8, 16, 32, 64] },
});

describe('FbstabClient against the real service', () => {
  let stack: Stack;
  let client: FbstabClient;
  before(async () => {
    stack = await startStack({ workers: true });
    client = new FbstabClient({ baseUrl: stack.base });
  });
  after(() => stack.close());

  test('submit, then wait over the event stream reports progress and returns the result get serves', async () => {
    const submitted = await client.submit(progressingRequest(7));
    assert.equal(submitted.status, 'queued');
    const seen: Progress[] = [];
    let fellBack: unknown;
    const done = await client.wait(submitted.id, {
      onProgress: (p) => seen.push(p),
      onFallback: (reason) => (fellBack = reason),
    });
    assert.equal(fellBack, undefined, 'the event stream worked');
    assert.equal(done.status, 'succeeded');
    assert.ok(seen.length >= 2, `progress reported ${seen.length} times`);
    assert.deepEqual(seen.at(-1), { completedTrials: 12_000, totalTrials: 12_000, fraction: 1 });
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.completedTrials > seen[i - 1]!.completedTrials);
    assert.deepEqual(await client.get(submitted.id), done);
    assert.equal(done.result?.cells.length, 4);
  });

  test('an Idempotency-Key makes a second submit return the first experiment', async () => {
    const key = randomUUID();
    const first = await client.submit(smallRequest(20, 1), { idempotencyKey: key });
    const again = await client.submit(smallRequest(20, 1), { idempotencyKey: key });
    assert.equal(again.id, first.id);
    const other = await client.submit(smallRequest(20, 1));
    assert.notEqual(other.id, first.id);
    await assert.rejects(client.submit(smallRequest(21, 1), { idempotencyKey: key }), (error) => {
      assert.ok(error instanceof FbstabProblemError);
      assert.equal(error.status, 409);
      return true;
    });
  });

  test('a bad request throws FbstabProblemError naming each bad field', async () => {
    const bad = { ...smallRequest(), filterbank: { numFilters: 0, filterLengths: [4, 8] } };
    const error = await client.submit(bad).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof FbstabProblemError);
    assert.ok(error instanceof Error);
    assert.equal(error.status, 400);
    assert.equal(error.title, 'Invalid request');
    assert.match(error.type, /^\/problems\//);
    assert.deepEqual(
      error.errors.map((e) => e.path),
      ['filterbank.numFilters'],
    );
    assert.match(error.detail, /filterbank\.numFilters/);
  });

  test('cancel stops a running experiment, and wait returns it cancelled', async () => {
    const big = await client.submit({ ...progressingRequest(3), trials: 400_000 });
    const cancelled = await client.cancel(big.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await client.wait(big.id)).status, 'cancelled');
    assert.equal((await client.cancel(big.id)).status, 'cancelled', 'idempotent');
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(client.wait(big.id, { signal: aborted.signal }), { name: 'AbortError' });
  });

  test('delete removes it: get then throws a 404 problem', async () => {
    const { id } = await client.submit(smallRequest(10, 2));
    await client.delete(id);
    await assert.rejects(
      client.get(id),
      (error) => error instanceof FbstabProblemError && error.status === 404,
    );
    await assert.rejects(
      client.delete(id),
      (error) => error instanceof FbstabProblemError && error.status === 404,
    );
  });

  test('list iterates every experiment across cursor pages, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.submit(smallRequest(10, 100 + i))).id);
    let pages = 0;
    const counting = new FbstabClient({
      baseUrl: stack.base,
      fetch: (input, init) => {
        if (String(input).includes('/v1/experiments?')) pages++;
        return fetch(input, init);
      },
    });
    const listed: string[] = [];
    for await (const experiment of counting.list({ limit: 2 })) listed.push(experiment.id);
    const all = (await client.listPage({ limit: 100 })).items.map((e) => e.id);
    assert.deepEqual(listed, all, 'the pages, concatenated, are the one big page');
    assert.equal(new Set(listed).size, listed.length);
    assert.deepEqual(listed.slice(0, 5), [...ids].reverse());
    // One request per page of 2 (and perhaps an empty last one, when the count is even).
    assert.ok(
      pages >= Math.ceil(listed.length / 2) && pages <= Math.ceil(listed.length / 2) + 1,
      `${pages} pages`,
    );
    assert.ok(pages >= 3);
    assert.equal((await client.wait(ids[0]!)).status, 'succeeded');
    const succeeded: string[] = [];
    for await (const experiment of client.list({ status: 'succeeded', limit: 3 })) {
      assert.equal(experiment.status, 'succeeded');
      succeeded.push(experiment.id);
    }
    assert.ok(succeeded.includes(ids[0]!));
  });

  test('views, batches and changes: summaries by default, full on request, markers, a change token', async () => {
    const first = await client.submit(smallRequest(10, 301));
    await client.wait(first.id);
    const summary = await client.getSummary(first.id);
    assert.equal(summary.id, first.id);
    assert.equal(summary.status, 'succeeded');
    assert.ok(!('result' in summary), 'a summary has no result');
    const full = await client.get(first.id);
    assert.ok(full.result !== undefined);
    for await (const item of client.list({ limit: 5 })) {
      assert.ok(!('result' in item), 'list items are summaries by default');
      break;
    }
    for await (const item of client.list({ limit: 5, view: 'full' })) {
      assert.ok('request' in item, 'view: full gives whole resources');
      break;
    }
    const missing = randomUUID();
    const batch = await client.getMany([missing, first.id]);
    assert.deepEqual(
      batch.map((item) => item.id),
      [missing, first.id],
      'in the order asked',
    );
    assert.equal(batch[0]!.status, 404);
    const { changeToken } = await client.changes(undefined);
    assert.deepEqual((await client.changes(changeToken)).items, [], 'nothing changed since the token');
    const second = await client.submit(smallRequest(10, 302));
    await client.wait(second.id);
    await client.delete(first.id);
    const changed = await client.changes(changeToken);
    const ids = changed.items.map((item) => item.id);
    assert.ok(ids.includes(second.id), 'the new experiment is a change');
    const tombstone = changed.items.find((item) => item.id === first.id);
    assert.ok(tombstone !== undefined && 'deleted' in tombstone && tombstone.deleted, 'the deletion too');
    assert.notEqual(changed.changeToken, changeToken);
  });

  test('signals, the analyses, design and plots', async () => {
    const samples = Array.from({ length: 256 }, (_, n) => Math.sin(0.3 * n) * 0.5);
    const stored = await client.uploadSignal({ samples, sampleRate: 8000, name: 'tone' });
    assert.equal(stored.length, 256);
    assert.deepEqual(await client.getSignal(stored.id), stored);
    const wav = await client.uploadSignalWav(
      encodeWav([Float64Array.from(samples)], 8000, { bitDepth: '16' }),
      {
        name: 'tone.wav',
      },
    );
    assert.equal(wav.length, 256);
    assert.equal(wav.name, 'tone.wav');

    const theory = await client.analyzeSignal({
      signal: { kind: 'stored', id: stored.id },
      numFilters: 10,
      filterLengths: [8, 32],
    });
    assert.equal(theory.cells.length, 2);
    await client.deleteSignal(stored.id);
    await assert.rejects(
      client.getSignal(stored.id),
      (e) => e instanceof FbstabProblemError && e.status === 404,
    );

    const weights = [
      [1, 0.5, -0.25, 0],
      [0, 1, 0.5, 0.125],
      [0.5, -1, 0, 0.25],
    ];
    const fromJson = await client.analyzeFilterbank({ weights, stride: 2 });
    const fromNpy = await client.analyzeFilterbankFile(encodeNpy(weights.flat(), [3, 4], '<f8'), {
      stride: 2,
    });
    assert.deepEqual(fromNpy, fromJson);
    assert.equal(fromJson.numFilters, 3);
    assert.equal(fromJson.stride, 2);

    const rows = await client.design({ filterLengths: [16], targetKappa: 2 });
    assert.equal(rows[0]?.filterLength, 16);
    assert.ok((rows[0]?.minNumFilters ?? 0) > 1);

    const { id } = await client.submit(smallRequest(20, 5));
    const done = await client.wait(id);
    const name = done.links.plots?.[0]
      ?.split('/')
      .at(-1)
      ?.replace(/\.svg$/, '');
    assert.ok(name !== undefined, 'a succeeded experiment links its plots');
    const svg = await client.plot(id, name);
    assert.match(svg, /^<svg/);
    assert.equal(svg, await (await fetch(`${stack.base}${done.links.plots![0]}`)).text());
  });

  test('wait falls back to polling when a proxy refuses the event stream', async () => {
    const proxy = await eventBreakingProxy(stack.base, 'refuse');
    try {
      const viaProxy = new FbstabClient({ baseUrl: proxy.base });
      const { id } = await viaProxy.submit(progressingRequest(11));
      const seen: Progress[] = [];
      let fellBack: unknown;
      const done = await viaProxy.wait(id, {
        onProgress: (p) => seen.push(p),
        onFallback: (reason) => (fellBack = reason),
        pollIntervalMs: 100,
      });
      assert.equal(done.status, 'succeeded');
      assert.ok(fellBack instanceof FbstabProblemError && fellBack.status === 502, String(fellBack));
      assert.equal(seen.at(-1)?.fraction, 1);
      assert.ok(
        proxy.seen.filter((r) => r === `GET /v1/experiments/${id}`).length >= 1,
        proxy.seen.join(', '),
      );
      assert.deepEqual(done, await client.get(id));
    } finally {
      await proxy.close();
    }
  });

  test('wait falls back to polling when the event stream is cut', async () => {
    const proxy = await eventBreakingProxy(stack.base, 'cut');
    try {
      const viaProxy = new FbstabClient({ baseUrl: proxy.base });
      const { id } = await viaProxy.submit(progressingRequest(12));
      let fellBack: unknown;
      const done = await viaProxy.wait(id, {
        onFallback: (reason) => (fellBack = reason),
        pollIntervalMs: 100,
      });
      assert.equal(done.status, 'succeeded');
      assert.ok(fellBack instanceof Error, String(fellBack));
      assert.deepEqual(
        proxy.seen.filter((r) => r.endsWith('/events')),
        [`GET /v1/experiments/${id}/events`],
        'a cut stream is not reopened: polling takes over',
      );
      assert.ok(proxy.seen.includes(`GET /v1/experiments/${id}`));
    } finally {
      await proxy.close();
    }
  });
});

describe('FbstabClient retries', () => {
  test('a 429 of the real rate limit is retried after its Retry-After', async () => {
    const limited = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const retries: RetryEvent[] = [];
      const client = new FbstabClient({ baseUrl: limited.base, retry: { onRetry: (r) => retries.push(r) } });
      for (let i = 0; i < 3; i++) await client.listPage();
      assert.equal(retries.length, 0);
      // The window would last a minute: shorten it in Redis, so the Retry-After of the next 429
      // (the window's remaining time, rounded up) is 2 s.
      const [key] = await limited.redis.keys('fbstab:ratelimit:*');
      assert.ok(key !== undefined);
      await limited.redis.pexpire(key, 1500);
      const page = await client.listPage();
      assert.deepEqual(page.items, []);
      assert.equal(retries.length, 1);
      assert.equal(retries[0]!.status, 429);
      assert.equal(retries[0]!.delayMs, 2000);

      // A Retry-After beyond maxDelayMs is not waited for: the 429 is thrown, with what it asked.
      // The retry opened a new window: two more calls use it up.
      for (let i = 0; i < 2; i++) await client.listPage();
      const impatient = new FbstabClient({ baseUrl: limited.base, retry: { maxDelayMs: 1000 } });
      const error = await impatient.listPage().then(
        () => assert.fail('not limited'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof FbstabProblemError);
      assert.equal(error.status, 429);
      assert.ok((error.retryAfterMs ?? 0) > 1000, String(error.retryAfterMs));
    } finally {
      await limited.close();
    }
  });

  test('a 503 with an HTTP-date Retry-After is retried no earlier than that date', async () => {
    let retryAt = 0;
    let secondAt = 0;
    const peer = await scriptedServer([
      (_req, res) => {
        // HTTP-dates have whole seconds: the next second after one more second.
        retryAt = (Math.floor(Date.now() / 1000) + 2) * 1000;
        res
          .writeHead(503, {
            'content-type': 'application/problem+json',
            'retry-after': new Date(retryAt).toUTCString(),
          })
          .end(
            JSON.stringify({
              type: '/problems/service-unavailable',
              title: 'Service unavailable',
              status: 503,
              detail: 'queue full',
            }),
          );
      },
      (_req, res) => {
        secondAt = Date.now();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[],"nextCursor":null}');
      },
    ]);
    try {
      const retries: RetryEvent[] = [];
      const client = new FbstabClient({ baseUrl: peer.base, retry: { onRetry: (r) => retries.push(r) } });
      assert.deepEqual(await client.listPage(), { items: [], nextCursor: null });
      assert.equal(peer.seen.length, 2);
      assert.equal(retries[0]?.status, 503);
      assert.ok(secondAt >= retryAt, `retried ${retryAt - secondAt} ms before the Retry-After date`);
    } finally {
      await peer.close();
    }
  });

  test('without Retry-After the waits double from 0.5 s; retry: false never retries', async () => {
    const busy = (_req: unknown, res: import('node:http').ServerResponse) =>
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
    const ok = (_req: unknown, res: import('node:http').ServerResponse) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[],"nextCursor":null}');
    const peer = await scriptedServer([busy, busy, ok, busy]);
    try {
      const retries: RetryEvent[] = [];
      const client = new FbstabClient({ baseUrl: peer.base, retry: { onRetry: (r) => retries.push(r) } });
      await client.listPage();
      assert.deepEqual(
        retries.map((r) => [r.attempt, r.status, r.delayMs]),
        [
          [1, 503, 500],
          [2, 503, 1000],
        ],
      );
      const once = new FbstabClient({ baseUrl: peer.base, retry: false });
      const error = await once.listPage().then(
        () => assert.fail('answered'),
        (e: unknown) => e,
      );
      // A body that is not problem+json still becomes a problem, with the status's reason.
      assert.ok(error instanceof FbstabProblemError);
      assert.equal(error.status, 503);
      assert.equal(error.type, 'about:blank');
      assert.equal(error.detail, 'busy');
      assert.equal(peer.seen.length, 4);
    } finally {
      await peer.close();
    }
  });

  test('retries are bounded: after maxRetries (4) the last problem is thrown', async () => {
    const peer = await scriptedServer([
      (_req, res) =>
        res
          .writeHead(503, { 'content-type': 'application/problem+json' })
          .end(
            '{"type":"/problems/service-unavailable","title":"Service unavailable","status":503,"detail":"queue full"}',
          ),
    ]);
    try {
      const client = new FbstabClient({ baseUrl: peer.base, retry: { baseDelayMs: 1 } });
      await assert.rejects(
        client.listPage(),
        (e) => e instanceof FbstabProblemError && e.detail === 'queue full',
      );
      assert.equal(peer.seen.length, 5, 'the first attempt and 4 retries');
    } finally {
      await peer.close();
    }
  });

  test('a reset connection is retried for idempotent calls only; an unreachable server is a connection error', async () => {
    const reset = (req: { socket: { destroy(): void } }) => req.socket.destroy();
    const peer = await scriptedServer([
      reset,
      (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[],"nextCursor":null}'),
      reset,
    ]);
    try {
      const client = new FbstabClient({ baseUrl: peer.base, retry: { baseDelayMs: 10 } });
      assert.deepEqual(await client.listPage(), { items: [], nextCursor: null });
      // An upload is not idempotent (each creates a signal): not repeated after a reset.
      await assert.rejects(client.uploadSignal({ samples: [1, 2, 3] }), FbstabConnectionError);
      assert.deepEqual(peer.seen, ['GET /v1/experiments', 'GET /v1/experiments', 'POST /v1/signals']);
    } finally {
      await peer.close();
    }
    const nowhere = new FbstabClient({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      retry: { baseDelayMs: 10 },
    });
    await assert.rejects(nowhere.get(randomUUID()), (error) => {
      assert.ok(error instanceof FbstabConnectionError);
      assert.match(error.message, /cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/experiments\/.*ECONNREFUSED/);
      return true;
    });
  });
});
