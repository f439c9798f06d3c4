// ExperimentStore against a real redis-server: retention and the sweep that returns Redis to its
// baseline once finished experiments expire.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/redis/connect-redis.js';
import type { ExperimentRecord } from '../../src/store/experiment-record.js';
import { queuedRecord } from '../support/queued-record.js';
import { ExperimentIntake } from '../../src/store/experiment-intake.js';
import { ExperimentStore, TOMBSTONE_TTL_MS } from '../../src/store/experiment-store.js';
import { keys } from '../../src/store/redis-keys.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';
import { progressData } from '../../src/service/experiment-events.js';

let server: TestRedis;
let redis: Redis;

before(async () => {
  server = await startRedis();
  redis = connectRedis(server.url, 'api');
  await redis.connect();
});
after(async () => {
  redis.disconnect();
  await server.stop();
});

const record = (id: string, owner: string, createdAt: string): ExperimentRecord =>
  queuedRecord({ id, owner, createdAt, totalTrials: 1000, taskCount: 4 });

test('finished experiments expire after the TTL, and the sweep empties the indexes: Redis back to baseline', async () => {
  const baseline = await redis.dbsize();
  const store = new ExperimentStore(redis, 1);
  const intake = new ExperimentIntake(redis, 'test-engine');
  for (let i = 0; i < 20; i++) {
    await store.create(
      record(`e${i}`, i % 2 === 0 ? 'alice' : 'bob', new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()),
      intake,
    );
    await store.setTaskProgress(`e${i}`, 0, 250, 1000);
  }
  // Every creation entered the intake (oldest first; within one millisecond, by id); a worker
  // claims and removes them.
  const claimed = await intake.claim(30_000, 100);
  assert.deepEqual([...claimed].sort(), Array.from({ length: 20 }, (_, i) => `e${i}`).sort());
  assert.deepEqual(await intake.claim(30_000, 100), [], 'leased: not claimed twice');
  await intake.remove(claimed);
  // One stays running: it must not expire nor leave the index.
  await store.transition('e19', 'running', ['queued']);
  for (let i = 0; i < 19; i++) {
    await store.succeed(`e${i}`, { cells: [], engineVersion: 'test' }, new Date().toISOString());
  }
  assert.equal((await store.list('alice', { limit: 100 })).items.length, 10);
  await new Promise((r) => setTimeout(r, 1300)); // TTL of 1 s, and Redis expires lazily-or-within-100 ms
  assert.equal(await store.get('e0'), undefined);
  assert.equal(await store.getResult('e0'), undefined);
  assert.equal(await store.sweepExpired(), 19);
  assert.equal(await store.sweepExpired(), 0, 'idempotent');
  assert.deepEqual(
    (await store.list('bob', { limit: 100 })).items.map((r) => r.id),
    ['e19'],
  );
  assert.equal((await store.list('alice', { limit: 100 })).items.length, 0);
  // The expired ones stay as tombstones in the change log (docs/api.md "Changes") for a day.
  assert.equal(await redis.zcard(keys.tombstones), 19);
  assert.equal(await store.sweepExpired(Date.now() + TOMBSTONE_TTL_MS + 1000), 0);
  assert.equal(await redis.zcard(keys.tombstones), 0);
  // Left: the running record, its progress hash and bob's index; per owner, the change sequence
  // and the floor of the pruned tombstones; bob's change set, which holds e19.
  assert.equal(await redis.dbsize(), baseline + 3 + 2 + 2 + 1);
  assert.deepEqual(await redis.zrange(keys.changesOf('bob'), 0, -1), ['e19']);
});

test("a task's progress returns the experiment's trials so far, publishes its event and logs a change only while it runs", async (t) => {
  const store = new ExperimentStore(redis, 60);
  await store.create(
    record('p0', 'carol', new Date().toISOString()),
    new ExperimentIntake(redis, 'test-engine'),
  );
  const version = async () => Number(await redis.hget(keys.experiment('p0'), 'version'));
  const subscriber = redis.duplicate();
  t.after(() => subscriber.disconnect());
  await subscriber.connect();
  const events: unknown[] = [];
  subscriber.on('message', (_channel: string, message: string) => events.push(JSON.parse(message)));
  await subscriber.subscribe(keys.events('p0'));
  const created = await version();
  assert.equal(await store.setTaskProgress('p0', 0, 250, 1000), 250);
  assert.equal(await store.setTaskProgress('p0', 3, 100, 1000), 350, 'summed over the tasks');
  assert.equal(
    await store.setTaskProgress('p0', 0, 250, 1000),
    350,
    'a task counted once, whatever its reports',
  );
  assert.equal(await store.completedTrials('p0'), 350);
  assert.ok((await version()) > created, 'queued: progress is a change');
  await store.succeed('p0', { cells: [], engineVersion: 'test' }, new Date().toISOString());
  const finished = await version();
  assert.equal(await store.setTaskProgress('p0', 1, 250, 3), 600, 'counted as reported');
  assert.equal(await version(), finished, 'finished: a late report is no change');
  await store.setTaskProgress('p0', 2, 1, 0);
  await store.setTaskProgress('p0', 4, 1, 3 * 1000 * 1000);
  await waitFor(
    () => Promise.resolve(events.length),
    (n) => n === 6,
    2000,
    'six progress events',
  );
  await subscriber.quit();
  // The events are those of progressData (the stream parses and writes them again): the same
  // numbers, the fraction the same double, capped at the total.
  assert.deepEqual(events, [
    { event: 'progress', data: progressData(250, 1000) },
    { event: 'progress', data: progressData(350, 1000) },
    { event: 'progress', data: progressData(350, 1000) },
    { event: 'progress', data: progressData(600, 3) },
    { event: 'progress', data: progressData(601, 0) },
    { event: 'progress', data: progressData(602, 3_000_000) },
  ]);
});

test('list pages newest first with a stable cursor, and filters by status', async () => {
  const store = new ExperimentStore(redis, 3600);
  const t = Date.UTC(2026, 5, 1);
  for (let i = 0; i < 7; i++)
    await store.create(
      record(`p${i}`, 'carol', new Date(t + (i % 3) * 1000).toISOString()),
      new ExperimentIntake(redis, 'test-engine'),
    );
  await store.transition('p3', 'cancelled', ['queued']);
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list('carol', { limit: 3, cursor });
    seen.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  assert.equal(seen.length, 7);
  assert.equal(new Set(seen).size, 7, 'no item twice across pages with equal timestamps');
  const times = seen.map((id) =>
    Date.parse(record(id, '', new Date(t + (Number(id.slice(1)) % 3) * 1000).toISOString()).createdAt),
  );
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
    'newest first',
  );
  assert.deepEqual(
    (await store.list('carol', { limit: 10, status: 'cancelled' })).items.map((r) => r.id),
    ['p3'],
  );
  await assert.rejects(store.list('carol', { limit: 1, cursor: 'garbage' }), RangeError);
});
