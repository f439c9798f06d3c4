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
