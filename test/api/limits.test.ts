// The configurable limits of docs/api.md "Errors": body size (413), cost (422), rate (429). Each
// case builds its own app on one redis-server; no workers are needed (nothing must run).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { problemOf, smallRequest, startStack, type Stack } from './helpers.js';

let stack: Stack;

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
after(async () => {
  await stack.close();
});

test('413 for a body over MAX_BODY_BYTES', async () => {
  const app = await stack.extraApp({ MAX_BODY_BYTES: '1024', RATE_LIMIT_PER_MINUTE: '0' });
  const body = {
    type: 'energy',
    filterbank: { numFilters: 2, filterLengths: [4] },
    signals: [{ kind: 'samples', samples: Array.from({ length: 500 }, (_, i) => i / 500) }],
  };
  assert.ok(JSON.stringify(body).length > 1024);
  const res = await request(app.server).post('/v1/experiments').send(body).expect(413);
  problemOf(res);
  // A body under the limit still passes.
  await request(app.server).post('/v1/experiments').send(smallRequest()).expect(202);
});

test('422 when the estimated cost exceeds MAX_EXPERIMENT_COST, with the cost and the limit', async () => {
  const app = await stack.extraApp({ MAX_EXPERIMENT_COST: '0.001', RATE_LIMIT_PER_MINUTE: '0' });
  const res = await request(app.server).post('/v1/experiments').send(smallRequest(100_000)).expect(422);
  const problem = problemOf(res) as ReturnType<typeof problemOf> & { cost: number; limit: number };
  assert.equal(problem.limit, 0.001);
  assert.ok(problem.cost > 0.001);
  assert.match(problem.detail, /cost [\d.]+/);
  assert.match(problem.detail, /0\.001/);
});

test('429 with Retry-After once RATE_LIMIT_PER_MINUTE is used up; 0 turns the limit off', async () => {
  const app = await stack.extraApp({ RATE_LIMIT_PER_MINUTE: '3' });
  for (let i = 0; i < 3; i++) await request(app.server).get('/v1/experiments').expect(200);
  const res = await request(app.server).get('/v1/experiments').expect(429);
  problemOf(res);
  // The window is one minute, so the wait is between 1 and 60 s.
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers['retry-after']}`);
  // Only /v1 is limited.
  await request(app.server).get('/healthz').expect(200);

  // The main app has the limit off: many requests pass.
  for (let i = 0; i < 10; i++) await request(stack.app.server).get('/v1/experiments').expect(200);
});

test('503 with Retry-After once MAX_QUEUE_DEPTH experiments wait (nothing runs here)', async () => {
  const app = await stack.extraApp({ MAX_QUEUE_DEPTH: '3', RATE_LIMIT_PER_MINUTE: '0' });
  let accepted = 0;
  let refused: request.Response | undefined;
  // The API reads the depth at most every 500 ms, so the posts are spaced by more than that.
  for (let i = 0; i < 8 && refused === undefined; i++) {
    const res = await request(app.server).post('/v1/experiments').send(smallRequest());
    if (res.status === 202) accepted++;
    else refused = res;
    await new Promise((r) => setTimeout(r, 600));
  }
  assert.ok(refused !== undefined, 'a POST was refused');
  assert.equal(refused.status, 503);
  assert.equal(problemOf(refused).title, 'Queue full');
  assert.equal(refused.headers['retry-after'], '30');
  assert.ok(accepted <= 3, `${accepted} accepted before the refusal`);
});
