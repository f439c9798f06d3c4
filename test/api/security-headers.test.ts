// Security headers on every response, and CORS only for the configured origins.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { startStack, type Stack } from './helpers.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.close();
});

test('security headers on JSON, problem+json and the dashboard', async () => {
  for (const path of ['/healthz', '/v1/experiments', '/v1/experiments/nope', '/']) {
    const res = await request(stack.app.server).get(path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN', path);
    assert.ok(res.headers['strict-transport-security'] !== undefined, path);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', path);
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin', path);
    assert.equal(res.headers['x-powered-by'], undefined, path);
  }
});

test('CORS: no headers by default; the configured origins only when CORS_ORIGINS is set', async () => {
  const none = await request(stack.app.server).get('/v1/experiments').set('Origin', 'https://lab.example');
  assert.equal(none.headers['access-control-allow-origin'], undefined);
  const app = await stack.extraApp({ CORS_ORIGINS: 'https://lab.example, https://dash.example' });
  const allowed = await request(app.server)
    .options('/v1/experiments')
    .set('Origin', 'https://dash.example')
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers['access-control-allow-origin'], 'https://dash.example');
  assert.match(String(allowed.headers['access-control-allow-headers']), /Idempotency-Key/i);
  // A cross-origin dashboard polls with If-None-Match and resumes GET /v1/events with Last-Event-ID.
  assert.match(String(allowed.headers['access-control-allow-headers']), /If-None-Match/i);
  assert.match(String(allowed.headers['access-control-allow-headers']), /Last-Event-ID/i);
  const other = await request(app.server).get('/v1/experiments').set('Origin', 'https://evil.example');
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  const exposed = await request(app.server).get('/v1/experiments').set('Origin', 'https://lab.example');
  assert.match(String(exposed.headers['access-control-expose-headers']), /Location/);
  assert.match(String(exposed.headers['access-control-expose-headers']), /ETag/);
});

test('CORS: both event streams carry Access-Control-Allow-Origin for a configured origin', async () => {
  const app = await stack.extraApp({ CORS_ORIGINS: 'https://dash.example' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  const base = `http://127.0.0.1:${address.port}`;
  const { id } = (await (
    await fetch(`${base}/v1/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'frame-bounds',
        trials: 2,
        filterbank: { numFilters: 2, filterLengths: [4] },
      }),
    })
  ).json()) as { id: string };
  for (const path of ['/v1/events', `/v1/experiments/${id}/events`]) {
    const controller = new AbortController();
    // The head of a stream arrives at once; the body stays open, so stop reading there.
    const res = await fetch(`${base}${path}`, {
      headers: { Origin: 'https://dash.example' },
      signal: controller.signal,
    });
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/, path);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://dash.example', path);
    controller.abort();
  }
});
