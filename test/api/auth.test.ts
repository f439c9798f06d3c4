// API keys (docs/api.md `API_KEYS`): bearer auth on /v1, one key's experiments invisible to another,
// records owned by a hash of the key, and /metrics and /docs guarded when not public.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { ownerOfKey } from '../../src/api/plugins/auth.js';
import { keys } from '../../src/store/redis-keys.js';
import { problemOf, smallRequest, startStack, waitFor, type Stack } from './helpers.js';

const ALICE = 'alice-key-0123456789';
const BOB = 'bob-key-9876543210';
let stack: Stack;

before(async () => {
  stack = await startStack({
    env: { API_KEYS: `${ALICE}, ${BOB}`, METRICS_PUBLIC: 'false', DOCS_PUBLIC: 'false' },
    workers: true,
  });
});
after(async () => {
  await stack.close();
});

test('401 with WWW-Authenticate: Bearer without a valid key', async () => {
  const http = request(stack.app.server);
  const missing = await http.get('/v1/experiments').expect(401);
  problemOf(missing);
  assert.match(missing.headers['www-authenticate'] ?? '', /^Bearer/);
  const wrong = await request(stack.app.server)
    .get('/v1/experiments')
    .set('Authorization', 'Bearer nope')
    .expect(401);
  problemOf(wrong);
  assert.match(wrong.headers['www-authenticate'] ?? '', /^Bearer/);
  await request(stack.app.server).get('/v1/experiments').set('Authorization', `Basic ${ALICE}`).expect(401);
  // Auth comes before validation: an anonymous invalid body is 401, not 400.
  await request(stack.app.server).post('/v1/experiments').send({}).expect(401);
  // Probes stay open.
  await request(stack.app.server).get('/healthz').expect(200);
});

test("each key sees only its own experiments; another key's id is 404", async () => {
  const created = await request(stack.app.server)
    .post('/v1/experiments')
    .set('Authorization', `Bearer ${ALICE}`)
    .send(smallRequest())
    .expect(202);
  const id = (created.body as { id: string }).id;
  // Once finished and read by its owner, its body is cached; the cache is per owner too.
  await waitFor(
    async () =>
      (
        await request(stack.app.server)
          .get(`/v1/experiments/${id}`)
          .set('Authorization', `Bearer ${ALICE}`)
          .expect(200)
      ).body as { status: string },
    (r) => r.status === 'succeeded',
    15_000,
    'the experiment to finish',
  );
  assert.equal(await stack.redis.exists(keys.body(id)), 1);
  for (const path of [`/v1/experiments/${id}`, `/v1/experiments/${id}/events`]) {
    problemOf(await request(stack.app.server).get(path).set('Authorization', `Bearer ${BOB}`).expect(404));
  }
  problemOf(
    await request(stack.app.server)
      .post(`/v1/experiments/${id}/cancel`)
      .set('Authorization', `Bearer ${BOB}`)
      .expect(404),
  );
  problemOf(
    await request(stack.app.server)
      .delete(`/v1/experiments/${id}`)
      .set('Authorization', `Bearer ${BOB}`)
      .expect(404),
  );
  const bobList = await request(stack.app.server)
    .get('/v1/experiments')
    .set('Authorization', `Bearer ${BOB}`)
    .expect(200);
  assert.deepEqual((bobList.body as { items: unknown[] }).items, []);
  const aliceList = await request(stack.app.server)
    .get('/v1/experiments')
    .set('Authorization', `Bearer ${ALICE}`)
    .expect(200);
  assert.deepEqual(
    (aliceList.body as { items: { id: string }[] }).items.map((r) => r.id),
    [id],
  );

  // The record stores a hash of the key, never the key.
  const fields = await stack.redis.hgetall(keys.experiment(id));
  assert.ok(!JSON.stringify(fields).includes(ALICE));
  assert.equal((JSON.parse(fields.doc!) as { owner: string }).owner, ownerOfKey(ALICE));
  assert.match(ownerOfKey(ALICE), /^[0-9a-f]{32}$/);
});

test('METRICS_PUBLIC=false and DOCS_PUBLIC=false put /metrics and the docs behind the key', async () => {
  problemOf(await request(stack.app.server).get('/metrics').expect(401));
  problemOf(await request(stack.app.server).get('/openapi.yaml').expect(401));
  problemOf(await request(stack.app.server).get('/docs').expect(401));
  await request(stack.app.server).get('/metrics').set('Authorization', `Bearer ${BOB}`).expect(200);
  await request(stack.app.server).get('/openapi.yaml').set('Authorization', `Bearer ${BOB}`).expect(200);
});
