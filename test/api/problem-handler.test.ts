// The error → problem mapping on its own: internal errors say nothing of themselves, Redis
// connection errors are 503.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { toProblem } from '../../src/api/problem-handler.js';
import { HttpProblem } from '../../src/service/problem.js';

const request = { id: 'req-1', headers: {}, params: {} } as unknown as FastifyRequest;

test('an unexpected error is a generic 500 with the request id, never its message or stack', () => {
  const error = new Error('secret internal state at /srv/app.js:12:3');
  const { problem, internal } = toProblem(error, request);
  assert.equal(problem.status, 500);
  assert.equal(internal, true);
  assert.equal(problem.requestId, 'req-1');
  assert.ok(!JSON.stringify(problem).includes('secret'));
  assert.ok(!JSON.stringify(problem).includes('app.js'));
});

test('Redis connection errors and timeouts are 503 with Retry-After', () => {
  for (const message of [
    "Stream isn't writeable and enableOfflineQueue options is false",
    'Connection is closed.',
    'Command timed out',
    'connect ECONNREFUSED 127.0.0.1:6379',
  ]) {
    const { problem, headers } = toProblem(new Error(message), request);
    assert.equal(problem.status, 503, message);
    assert.ok(Number(headers['Retry-After']) > 0);
    assert.ok(!problem.detail.includes(message));
  }
  const wrapped = new Error('job failed', {
    cause: Object.assign(new Error('boom'), { code: 'ECONNRESET' }),
  });
  assert.equal(toProblem(wrapped, request).problem.status, 503);
});

test('an HttpProblem keeps its status, extensions and headers', () => {
  const { problem, headers } = toProblem(
    new HttpProblem(422, 'Experiment too expensive', 'cost 9 > 1', { cost: 9, limit: 1 }, { 'X-A': 'b' }),
    request,
  );
  assert.deepEqual(problem, {
    type: '/problems/cannot-run',
    title: 'Experiment too expensive',
    status: 422,
    detail: 'cost 9 > 1',
    cost: 9,
    limit: 1,
  });
  assert.deepEqual(headers, { 'X-A': 'b' });
});
