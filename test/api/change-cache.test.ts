// The change cache (src/api/change-cache.ts, docs/api.md "Changes"): an API process answers
// changedSince polls from the change messages Redis publishes, byte for byte as Redis would, and
// stops vouching when it may have missed one. Real Redis, real workers; the reference is an app
// with CHANGE_CACHE=false on the same Redis.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { ChangeCache } from '../../src/api/change-cache.js';
import { keys, PUBLIC_OWNER } from '../../src/store/redis-keys.js';
import { smallRequest, startStack, waitFor, watchEvents, type Stack } from './helpers.js';

let stack: Stack;
/** Verifies with Redis once a minute: within a test, every anchored poll is from memory. */
let cached: FastifyInstance;
const reference = () => request(stack.app.server);

before(async () => {
  stack = await startStack({
    workers: true,
    env: { RATE_LIMIT_PER_MINUTE: '0', CHANGE_CACHE: 'false', MAX_EXPERIMENT_COST: '1000000' },
  });
  cached = await stack.extraApp({ RATE_LIMIT_PER_MINUTE: '0', CHANGE_CACHE_VERIFY_MS: '60000' });
});
after(async () => {
  await stack.close();
});

/** fbstab_change_polls_total of an app, by source. */
async function polls(app: FastifyInstance): Promise<{ memory: number; redis: number }> {
  const text = (await request(app.server).get('/metrics').expect(200)).text;
  const count = (source: string) =>
    Number(new RegExp(`^fbstab_change_polls_total\\{source="${source}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { memory: count('memory'), redis: count('redis') };
}

const tokenOf = async (app: FastifyInstance) =>
  ((await request(app.server).get('/v1/experiments?limit=1').expect(200)).body as { changeToken: string })
    .changeToken;

/** Polls until the cache answers from memory (its first polls anchor it on what Redis says). */
async function anchor(app: FastifyInstance): Promise<void> {
  await waitFor(
    async () => {
      const token = await tokenOf(app);
      const before = (await polls(app)).memory;
      await request(app.server).get(`/v1/experiments?changedSince=${token}`).expect(200);
      return (await polls(app)).memory - before;
    },
    (fromMemory) => fromMemory === 1,
    10_000,
    'the change cache anchored',
  );
}

const submit = async (body: object = smallRequest()) =>
  ((await reference().post('/v1/experiments').send(body).expect(202)).body as { id: string }).id;
/** Submits a small experiment and waits until it succeeded. */
async function submitFinished(): Promise<string> {
  const id = await submit();
  await waitFor(
    () => statusOf(id),
    (s) => s === 'succeeded',
    30_000,
    `${id} done`,
  );
  return id;
}
const statusOf = async (id: string) =>
  ((await reference().get(`/v1/experiments/${id}?view=summary`).expect(200)).body as { status: string })
    .status;

/** Both apps' answers to one changedSince query: body bytes and ETag. */
async function both(query: string) {
  const a = await request(cached.server).get(`/v1/experiments?${query}`).expect(200);
  const b = await reference().get(`/v1/experiments?${query}`).expect(200);
  return { cached: { text: a.text, etag: a.headers.etag }, redis: { text: b.text, etag: b.headers.etag } };
}

test('from memory, changedSince answers the bytes and ETags Redis gives: creation, progress, finish, cancel, delete', async () => {
  await anchor(cached);
  const tokens = [await tokenOf(cached)];
  const small = [await submit(), await submit()];
  tokens.push(await tokenOf(cached));
  // Runs for minutes unless cancelled: its progress reports are changes too.
  const big = await submit({
    type: 'frame-bounds',
    seed: 3,
    trials: 200_000,
    signalLength: 1024,
    filterbank: { numFilters: 40, filterLengths: [1024] },
  });
  for (const id of small)
    await waitFor(
      () => statusOf(id),
      (s) => s === 'succeeded',
      30_000,
      `${id} done`,
    );
  await waitFor(
    async () => (await reference().get(`/v1/experiments/${big}?view=summary`).expect(200)).body,
    (s: { progress: { completedTrials: number } }) => s.progress.completedTrials > 0,
    30_000,
    'the big experiment made progress',
  );
  tokens.push(await tokenOf(cached));
  await reference().post(`/v1/experiments/${big}/cancel`).expect(200);
  await waitFor(
    () => statusOf(big),
    (s) => s === 'cancelled',
    30_000,
    'cancelled',
  );
  tokens.push(await tokenOf(cached));
  await reference().delete(`/v1/experiments/${small[0]}`).expect(204);
  // Nothing moves now: both apps must stand at the same position.
  await waitFor(
    async () =>
      (await both(`changedSince=${tokens[0]}`)).cached.etag ===
      (await both(`changedSince=${tokens[0]}`)).redis.etag,
    (same) => same,
    5_000,
    'the cache caught up',
  );

  const before = await polls(cached);
  let asked = 0;
  for (const token of tokens) {
    for (const limit of [100, 2, 1]) {
      const answers = await both(`changedSince=${token}&limit=${limit}`);
      asked++;
      assert.equal(answers.cached.text, answers.redis.text, `changedSince=${token}&limit=${limit}`);
      assert.equal(answers.cached.etag, answers.redis.etag);
    }
  }
  const changes = JSON.parse((await both(`changedSince=${tokens[0]}`)).cached.text) as {
    items: { id: string; status?: string; deleted?: boolean }[];
  };
  asked++;
  // The log saw all of it: a deletion, a cancellation, a success.
  assert.ok(changes.items.some((item) => item.id === small[0] && item.deleted === true));
  assert.ok(changes.items.some((item) => item.id === big && item.status === 'cancelled'));
  assert.ok(changes.items.some((item) => item.id === small[1] && item.status === 'succeeded'));
  const after = await polls(cached);
  assert.equal(after.memory - before.memory, asked, 'every poll of an anchored key is answered from memory');
  assert.equal(after.redis, before.redis);

  // If-None-Match on the current position: 304 from memory.
  const current = await request(cached.server).get(`/v1/experiments?changedSince=${tokens[0]}`).expect(200);
  await request(cached.server)
    .get(`/v1/experiments?changedSince=${tokens[0]}`)
    .set('if-none-match', current.headers.etag!)
    .expect(304);
  // view=full is not cached: it reads the resources from Redis.
  const full = await both(`changedSince=${tokens[1]}&view=full`);
  assert.equal(full.cached.text, full.redis.text);
});

test('If-None-Match on a list is checked against the copy: 304 from memory, and the ETags Redis gives', async () => {
  await anchor(cached);
  for (const query of ['limit=20', 'limit=5&status=succeeded', 'view=full&limit=3']) {
    const fromRedis = await reference().get(`/v1/experiments?${query}`).expect(200);
    const before = await polls(cached);
    const fromMemory = await request(cached.server)
      .get(`/v1/experiments?${query}`)
      .set('if-none-match', fromRedis.headers.etag!)
      .expect(304);
    assert.equal(fromMemory.headers.etag, fromRedis.headers.etag, query);
    const after = await polls(cached);
    assert.deepEqual(after, { memory: before.memory + 1, redis: before.redis }, `${query}: from memory`);
  }
  // A change moves the position: the old ETag now answers 200, with the ETag Redis gives.
  const old = (await reference().get('/v1/experiments?limit=20').expect(200)).headers.etag!;
  await submitFinished();
  const current = (await reference().get('/v1/experiments?limit=20').expect(200)).headers.etag!;
  await waitFor(
    async () =>
      (await request(cached.server).get('/v1/experiments?limit=20').set('if-none-match', old)).status,
    (status) => status === 200,
    5_000,
    'the cache saw the change',
  );
  const fresh = await request(cached.server)
    .get('/v1/experiments?limit=20')
    .set('if-none-match', old)
    .expect(200);
  assert.equal(fresh.headers.etag, current);
});

test('a lost change message (a gap in the versions) sends polls to Redis until the cache anchors again', async () => {
  await anchor(cached);
  const token = await tokenOf(cached);
  // A version no message told of: the cache can no longer prove it holds every change.
  await stack.redis.incr(keys.changeSeqOf(PUBLIC_OWNER));
  const id = await submitFinished();
  const before = await polls(cached);
  const answers = await both(`changedSince=${token}`);
  assert.equal(answers.cached.text, answers.redis.text);
  const items = (JSON.parse(answers.cached.text) as { items: { id: string }[] }).items;
  assert.deepEqual(
    items.map((item) => item.id),
    [id],
  );
  assert.equal((await polls(cached)).redis, before.redis + 1, 'that poll went to Redis');
  await anchor(cached);
});

test('losing the subscription forgets the logs: polls go to Redis, then from memory once it resubscribed', async () => {
  await anchor(cached);
  const token = await tokenOf(cached);
  // Kills every pub/sub connection, the cache's among them; ioredis reconnects it.
  await stack.redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  await submitFinished();
  const before = await polls(cached);
  const answers = await both(`changedSince=${token}`);
  assert.equal(answers.cached.text, answers.redis.text);
  assert.equal((await polls(cached)).redis, before.redis + 1, 'the first poll after the loss went to Redis');
  await anchor(cached);
  const again = await both(`changedSince=${token}`);
  assert.equal(again.cached.text, again.redis.text);
});

test('GET /v1/events reads from memory once the cache vouches, and its events end where Redis stands', async () => {
  await anchor(cached);
  await cached.listen({ port: 0, host: '127.0.0.1' });
  const { port } = cached.server.address() as AddressInfo;
  const token = await tokenOf(cached);
  const before = await polls(cached);
  const ids: string[] = [];
  type Change = { id: string; status?: string; version: number };
  const done = (events: { event: string; data: unknown }[]) =>
    ids.length === 3 &&
    ids.every((id) =>
      events.some(
        (e) =>
          e.event === 'change' && (e.data as Change).id === id && (e.data as Change).status === 'succeeded',
      ),
    );
  const streams = [`http://127.0.0.1:${port}`, stack.base].map((base) =>
    watchEvents(`${base}/v1/events?changedSince=${token}`, {}, done),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; i < 3; i++) ids.push(await submit());
  const [fromCache, fromRedis] = await Promise.all(streams);
  const after = await polls(cached);
  assert.ok(after.memory - before.memory >= 3, `memory reads ${after.memory - before.memory}`);
  // Each stream's last event per experiment is the experiment's final summary, as Redis lists it.
  const listed = new Map(
    (
      (await reference().get(`/v1/experiments?changedSince=${token}`).expect(200)).body as {
        items: Change[];
      }
    ).items.map((item) => [item.id, item]),
  );
  for (const events of [fromCache!, fromRedis!]) {
    const changes = events.filter((e) => e.event === 'change').map((e) => e.data as Change);
    assert.deepEqual(
      changes.map((c) => c.version),
      [...changes.map((c) => c.version)].sort((x, y) => x - y),
      'in the order of the change log',
    );
    for (const id of ids) assert.deepEqual(changes.filter((c) => c.id === id).at(-1), listed.get(id));
  }
});

test('the protocol: a log anchors after its ticket with the changes that came first, and is dropped on a gap, another epoch or idleness', async () => {
  const owner = 'protocol-owner';
  const idleMs = 300;
  const cache = new ChangeCache(stack.redis, pino({ level: 'silent' }), 60_000, idleMs);
  // Tombstones: the protocol needs no rows.
  const publish = (version: number, id: string) =>
    stack.redis.publish(keys.ownerEvents(owner), JSON.stringify({ id, version, deleted: true }));
  const read = (seq: number, epoch = 'e1') =>
    cache.changesSince(owner, { epoch, seq }, 100, performance.now());
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  try {
    assert.equal(cache.ticket(owner), -1, 'not listening before its first use');
    await waitFor(
      async () => cache.isListening,
      (listening) => listening,
      5_000,
      'subscribed',
    );
    const ticket = cache.ticket(owner);
    // A change made after the read began, heard before the read's answer: kept and replayed.
    await publish(11, 'a');
    await settle();
    cache.observe(owner, ticket, { epoch: 'e1', seq: 10 }, performance.now());
    assert.deepEqual(read(10), { seq: 11, changed: [{ id: 'a', version: 11, json: undefined }] });
    assert.equal(read(9), undefined, 'a token before the anchor is left to Redis');
    assert.equal(read(10, 'e0'), undefined, 'a token of another epoch too');

    await publish(10, 'late'); // from before the anchor: already counted, ignored
    await publish(12, 'b');
    await publish(13, 'a');
    await settle();
    assert.deepEqual(read(10), {
      seq: 13,
      changed: [
        { id: 'b', version: 12, json: undefined },
        { id: 'a', version: 13, json: undefined },
      ],
    });
    assert.deepEqual(read(13), { seq: 13, changed: [] });

    await publish(15, 'c'); // 14 never came
    await settle();
    assert.equal(read(13), undefined, 'a gap drops the log');

    cache.observe(owner, cache.ticket(owner), { epoch: 'e1', seq: 15 }, performance.now());
    assert.deepEqual(read(15), { seq: 15, changed: [] });
    cache.observe(owner, cache.ticket(owner), { epoch: 'e2', seq: 3 }, performance.now());
    assert.equal(read(15), undefined, 'another epoch in Redis drops the log');

    cache.observe(owner, cache.ticket(owner), { epoch: 'e2', seq: 3 }, performance.now());
    assert.deepEqual(read(3, 'e2'), { seq: 3, changed: [] });
    await new Promise((resolve) => setTimeout(resolve, idleMs + 100));
    await publish(4, 'd');
    await settle();
    assert.equal(read(3, 'e2'), undefined, 'a log nobody read for idleMs is dropped at its next change');
  } finally {
    await cache.close();
  }
});

test('a reset Redis is seen within CHANGE_CACHE_VERIFY_MS: the old token then answers 410, as from Redis', async () => {
  const quick = await stack.extraApp({ RATE_LIMIT_PER_MINUTE: '0', CHANGE_CACHE_VERIFY_MS: '300' });
  await anchor(quick);
  const token = await tokenOf(quick);
  await stack.redis.flushall();
  await reference().get(`/v1/experiments?changedSince=${token}`).expect(410);
  await new Promise((resolve) => setTimeout(resolve, 400));
  await request(quick.server).get(`/v1/experiments?changedSince=${token}`).expect(410);
});
