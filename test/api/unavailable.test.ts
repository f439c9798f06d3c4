// Redis down (docs/api.md "Errors": the queue or store unreachable → 503). This file has its own
// redis-server, because it stops it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { problemOf, smallRequest, startStack, waitFor, type Stack } from './helpers.js';

/**
 * connectRedis(url, 'api') has no offline queue and a 3 s command timeout, so a request fails
 * fast while Redis is down; 5 s covers that plus a slow machine.
 */
const ANSWER_WITHIN_MS = 5000;
let stack: Stack;

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.close();
});

test('503 with Retry-After from POST, GET and /readyz while Redis is down; ready again after a restart', async () => {
  // Open the queues while Redis is up (a submission), as a running service would have them.
  await request(stack.app.server).post('/v1/experiments').send(smallRequest()).expect(202);
  await stack.server.stop();

  for (const send of [
    () => request(stack.app.server).post('/v1/experiments').send(smallRequest()),
    () => request(stack.app.server).get('/v1/experiments'),
    () => request(stack.app.server).get('/readyz'),
  ]) {
    const started = Date.now();
    const res = await send();
    const elapsed = Date.now() - started;
    assert.equal(res.status, 503, res.text);
    const problem = problemOf(res);
    assert.ok(
      !/ECONNREFUSED|Stream isn't writeable|Connection is closed/i.test(problem.detail),
      problem.detail,
    );
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.ok(elapsed < ANSWER_WITHIN_MS, `answered in ${elapsed} ms`);
  }
  // Liveness does not depend on Redis.
  await request(stack.app.server).get('/healthz').expect(200);

  await stack.server.restart();
  // The client reconnects with a backoff of at most 2 s (connectRedis's retryStrategy).
  await waitFor(
    async () => (await request(stack.app.server).get('/readyz')).status,
    (status) => status === 200,
    10_000,
    'readyz after the restart',
  );
  await request(stack.app.server).post('/v1/experiments').send(smallRequest()).expect(202);
});
