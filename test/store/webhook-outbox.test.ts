// The webhook outbox against a real redis-server (docs/api.md "Webhooks", durability): a final
// transition enters it; one claim leases an entry and reads what its deliveries need; a second
// claim within the lease gets nothing, one after it gets the entry again (a worker that died);
// settling records the attempts and removes the entry in one step.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/redis/connect-redis.js';
import type { ExperimentRecord } from '../../src/store/experiment-record.js';
import { queuedRecord } from '../support/queued-record.js';
import { ExperimentIntake } from '../../src/store/experiment-intake.js';
import { ExperimentStore } from '../../src/store/experiment-store.js';
import { keys } from '../../src/store/redis-keys.js';
import { WebhookStore, type DeliveryAttempt } from '../../src/store/webhook-store.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';

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

const record = (id: string, owner: string, notify: boolean): ExperimentRecord =>
  queuedRecord({ id, owner, notify });

const attempt = (deliveryId: string, status: DeliveryAttempt['status']): DeliveryAttempt => ({
  deliveryId,
  event: 'succeeded',
  target: 'notify',
  url: 'https://example.com/hook',
  attempt: 1,
  status,
  httpStatus: status === 'delivered' ? 200 : 503,
  latencyMs: 3,
  error: null,
  startedAt: new Date().toISOString(),
});

test('a claimed entry carries its record, result, progress and standing webhooks, and is leased', async () => {
  const store = new ExperimentStore(redis, 60);
  const webhooks = new WebhookStore(redis, 60);
  await webhooks.create({
    id: 'wh1',
    owner: 'alice',
    url: 'https://example.com/standing',
    events: ['succeeded'],
    secret: 'whsec_c2VjcmV0',
    createdAt: new Date().toISOString(),
  });
  await store.create(record('n1', 'alice', true), new ExperimentIntake(redis, 'test-engine'));
  await store.create(record('p1', 'bob', false), new ExperimentIntake(redis, 'test-engine'));
  await store.setTaskProgress('n1', 0, 10, 10);
  await store.succeed('n1', { cells: [], engineVersion: 'test' }, new Date().toISOString());
  // Neither notify nor a standing webhook: no outbox entry.
  await store.succeed('p1', { cells: [], engineVersion: 'test' }, new Date().toISOString());

  const [entry, ...rest] = await webhooks.claimOutbox(200, 10);
  assert.deepEqual(rest, []);
  assert.ok(entry !== undefined);
  assert.equal(entry.member, 'n1|succeeded');
  assert.equal(entry.experimentId, 'n1');
  assert.equal(entry.event, 'succeeded');
  assert.equal(entry.fields.status, 'succeeded');
  assert.equal(entry.fields.owner, 'alice');
  assert.deepEqual(entry.progress, ['10']);
  assert.deepEqual(JSON.parse(entry.result!), { cells: [], engineVersion: 'test' });
  assert.equal(entry.cachedBody, null);
  assert.deepEqual(
    entry.standing.map((hook) => [hook.id, hook.secret]),
    [['wh1', 'whsec_c2VjcmV0']],
  );

  // Leased: no other claim gets it until the lease ends; then it is due again.
  assert.deepEqual(await webhooks.claimOutbox(200, 10), []);
  await new Promise((r) => setTimeout(r, 300));
  const again = await webhooks.claimOutbox(60_000, 10);
  assert.deepEqual(
    again.map((e) => e.member),
    ['n1|succeeded'],
  );

  // Settling records the attempts and removes the entry, in one step.
  await webhooks.settle('n1', [attempt('n1.succeeded.notify', 'delivered')], 'n1|succeeded');
  assert.equal(await redis.zcard(keys.webhookOutbox), 0);
  assert.deepEqual(
    (await webhooks.attempts('n1')).map((a) => [a.deliveryId, a.status]),
    [['n1.succeeded.notify', 'delivered']],
  );
  assert.ok((await redis.ttl(keys.deliveries('n1'))) > 0, 'the attempts expire with the experiment');
  assert.equal(await webhooks.wasDelivered('n1', 'n1.succeeded.notify'), true);
  assert.equal(await webhooks.wasDelivered('n1', 'n1.succeeded.wh1'), false);
});

test('an entry whose experiment is gone is claimed with no record, and settles with no attempt', async () => {
  const store = new ExperimentStore(redis, 60);
  const webhooks = new WebhookStore(redis, 60);
  const gone = record('g1', 'carol', true);
  await store.create(gone, new ExperimentIntake(redis, 'test-engine'));
  await store.fail(
    'g1',
    { type: 'about:blank', title: 'x', status: 422, detail: 'x' },
    new Date().toISOString(),
  );
  await store.delete(gone);
  const [entry] = await webhooks.claimOutbox(60_000, 10);
  assert.ok(entry !== undefined);
  assert.equal(entry.member, 'g1|failed');
  assert.deepEqual(entry.fields, {});
  assert.deepEqual(entry.standing, []);
  await webhooks.settle('g1', [], entry.member);
  assert.equal(await redis.zcard(keys.webhookOutbox), 0);
  assert.equal(await redis.exists(keys.deliveries('g1')), 0);
});
