// Problem `type` URIs (docs/api.md "Errors"): each is `/problems/<slug>`, relative to the service,
// and GET on the running app resolves it to a description of the same status; a status without
// its own type gets `about:blank`. The statuses are provoked for real, over HTTP, each by the
// cheapest request that causes it (small limits on extra apps sharing the same Redis).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { PROBLEM_TYPES, problemType } from '../../src/service/problem.js';
import { problemOf, smallRequest, startStack, type Stack } from './helpers.js';

let stack: Stack;
const http = () => request(stack.app.server);
const extra: Record<string, FastifyInstance> = {};

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
  extra.keys = await stack.extraApp({ API_KEYS: 'k1', RATE_LIMIT_PER_MINUTE: '0' });
  extra.small = await stack.extraApp({ MAX_BODY_BYTES: '64', RATE_LIMIT_PER_MINUTE: '0' });
  extra.cheap = await stack.extraApp({ MAX_EXPERIMENT_COST: '0.000001', RATE_LIMIT_PER_MINUTE: '0' });
  extra.limited = await stack.extraApp({ RATE_LIMIT_PER_MINUTE: '1' });
  extra.full = await stack.extraApp({ MAX_QUEUE_DEPTH: '1', RATE_LIMIT_PER_MINUTE: '0' });
});
after(async () => {
  await stack.close();
});

/** The problem a real request gets, for each status the service answers with itself. */
const PROVOKE: Record<number, () => Promise<request.Response>> = {
  400: () => http().post('/v1/experiments').send({ type: 'energy' }),
  401: () => request(extra.keys!.server).get('/v1/experiments'),
  404: () => http().get('/v1/experiments/00000000-0000-4000-8000-000000000000'),
  409: async () => {
    await http().post('/v1/experiments').set('idempotency-key', 'pt-409').send(smallRequest(10, 1));
    return http().post('/v1/experiments').set('idempotency-key', 'pt-409').send(smallRequest(10, 2));
  },
  // A change token of another epoch of the change log (docs/api.md "Changes").
  410: () => http().get(`/v1/experiments?changedSince=${Buffer.from('0badc0de.1').toString('base64url')}`),
  413: () =>
    request(extra.small!.server)
      .post('/v1/design')
      .send({ filterLengths: Array(40).fill(16) }),
  414: () => http().get(`/v1/experiments/${'x'.repeat(200)}`),
  415: () => http().post('/v1/design').set('content-type', 'text/csv').send('a,b'),
  422: () => request(extra.cheap!.server).post('/v1/experiments').send(smallRequest(10, 1)),
  429: async () => {
    await request(extra.limited!.server).get('/v1/presets');
    return request(extra.limited!.server).get('/v1/presets');
  },
  503: async () => {
    // No workers run here, so earlier experiments stay waiting: the queue is over depth 1.
    await http().post('/v1/experiments').send(smallRequest(10, 3));
    return request(extra.full!.server).post('/v1/experiments').send(smallRequest(10, 4));
  },
};

describe('every problem type the service sends resolves on the service', () => {
  for (const [status, provoke] of Object.entries(PROVOKE)) {
    test(`${status}: its type resolves to a description of status ${status}`, async () => {
      const res = await provoke();
      assert.equal(res.status, Number(status), res.text);
      const problem = problemOf(res);
      assert.match(problem.type, /^\/problems\/[a-z-]+$/);
      const described = await http().get(problem.type).expect(200);
      assert.equal(described.body.status, Number(status));
      assert.equal(described.body.type, problem.type);
      assert.ok(described.body.description.length > 20);
    });
  }

  test('webhook-refused (a second 422): a webhook URL on loopback resolves to its description', async () => {
    const res = await http().post('/v1/webhooks').send({ url: 'http://127.0.0.1:9/hook' });
    assert.equal(res.status, 422, res.text);
    const problem = problemOf(res);
    assert.equal(problem.type, '/problems/webhook-refused');
    const described = await http().get(problem.type).expect(200);
    assert.equal(described.body.status, 422);
    assert.equal(described.body.title, problem.title);
  });

  test('the statuses provoked above are every registered type but 500, which a failed task sends', () => {
    const registered = [...new Set(PROBLEM_TYPES.map((t) => t.status))].sort((a, b) => a - b);
    assert.deepEqual(
      registered.filter((s) => s !== 500),
      Object.keys(PROVOKE).map(Number),
    );
  });

  test('GET /problems lists every type, and each resolves; an unknown slug is a 404 problem', async () => {
    const list = await http().get('/problems').expect(200);
    assert.deepEqual(
      list.body.items.map((t: { status: number }) => t.status),
      PROBLEM_TYPES.map((t) => t.status),
    );
    for (const item of list.body.items as { type: string; title: string }[]) {
      const one = await http().get(item.type).expect(200);
      assert.deepEqual(one.body, item);
    }
    const missing = problemOf(await http().get('/problems/no-such-problem').expect(404));
    assert.match(missing.detail, /problem type/);
  });

  test('types need no API key: a client refused with 401 can read what 401 means', async () => {
    const refused = problemOf(await request(extra.keys!.server).get('/v1/experiments').expect(401));
    await request(extra.keys!.server).get(refused.type).expect(200);
  });

  test('a status without its own type is about:blank', () => {
    assert.equal(problemType(418), 'about:blank');
    assert.equal(problemType(500), '/problems/internal-error');
  });
});
