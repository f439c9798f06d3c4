// Webhooks end to end (docs/api.md "Webhooks"): a real API and workers on a private Redis,
// delivering to a real HTTP receiver on loopback. Signatures are checked with implementations
// other than the service's: the `standardwebhooks` package, node:crypto written here, and
// examples/python/verify_webhook.py. Retry delays are small through the configuration.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { problemOf, smallRequest, startStack, type Stack } from '../api/helpers.js';
import { waitFor } from '../support/wait-for.js';
import { accepted, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = `whsec_${Buffer.from('fbstab webhook test secret, 32 bytes!').toString('base64')}`;
const env = {
  RATE_LIMIT_PER_MINUTE: '0',
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '2000',
  WEBHOOK_TIMEOUT_MS: '1000',
};

let stack: Stack;
let receiver: WebhookReceiver;
const http = () => request(stack.app.server);

before(async () => {
  stack = await startStack({ workers: true, env });
  receiver = await startWebhookReceiver();
});
after(async () => {
  await receiver.close();
  await stack.close();
});

interface Attempt {
  deliveryId: string;
  event: string;
  target: string;
  attempt: number;
  status: string;
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
  startedAt: string;
  nextAttemptAt?: string;
}

const deliveries = async (id: string): Promise<Attempt[]> =>
  (await http().get(`/v1/experiments/${id}/deliveries`).expect(200)).body.items as Attempt[];

/** Submits a small experiment that notifies `url` (on the final events unless `events`). */
async function submitNotified(url: string, events?: string[], body = smallRequest(20, 7)): Promise<string> {
  const res = await http()
    .post('/v1/experiments')
    .send({ ...body, notify: { url, ...(events === undefined ? {} : { events }) } })
    .expect(202);
  return res.body.id as string;
}

/** Waits until the experiment's attempts satisfy `predicate`. */
const attemptsUntil = (id: string, predicate: (a: Attempt[]) => boolean, what: string) =>
  waitFor(() => deliveries(id), predicate, 30_000, what);

const delivered = (a: Attempt[]) => a.some((x) => x.status === 'delivered');

describe('deliveries are signed and carry the resource as GET serves it', () => {
  test('notify and a standing webhook: both signatures verify with three independent implementations', async () => {
    const created = await http()
      .post('/v1/webhooks')
      .send({ url: receiver.url, events: ['succeeded'] })
      .expect(201);
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.equal(created.headers.location, `/v1/webhooks/${created.body.id}`);
    const hookSecret = created.body.secret as string;
    try {
      const listed = await http().get('/v1/webhooks').expect(200);
      assert.equal(listed.body.items.length, 1);
      assert.equal('secret' in listed.body.items[0], false, 'the list never shows a secret');
      const one = await http().get(`/v1/webhooks/${created.body.id}`).expect(200);
      assert.equal('secret' in one.body, false);

      const id = await submitNotified(receiver.url);
      const attempts = await attemptsUntil(
        id,
        (a) => a.filter((x) => x.status === 'delivered').length === 2,
        'both deliveries',
      );
      assert.deepEqual(attempts.map((a) => a.target).sort(), [created.body.id, 'notify'].sort());
      const served = (await http().get(`/v1/experiments/${id}`).expect(200)).body;

      for (const attempt of attempts) {
        const got = accepted(receiver, attempt.deliveryId);
        assert.equal(got.length, 1, `one accepted request for ${attempt.deliveryId}`);
        const { headers, body } = got[0]!;
        const secret = attempt.target === 'notify' ? SECRET : hookSecret;
        const plain = {
          'webhook-id': String(headers['webhook-id']),
          'webhook-timestamp': String(headers['webhook-timestamp']),
          'webhook-signature': String(headers['webhook-signature']),
        };
        assert.equal(plain['webhook-id'], attempt.deliveryId);
        // 1. The reference implementation of Standard Webhooks.
        const payload = new Webhook(secret).verify(body, plain) as Record<string, unknown>;
        assert.equal(payload.type, 'experiment.succeeded');
        assert.deepEqual(payload.data, served, 'the body carries the resource as GET serves it');
        assert.ok(!Number.isNaN(Date.parse(payload.timestamp as string)));
        // 2. node:crypto, written from the specification.
        const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
        const mac = createHmac('sha256', key)
          .update(`${plain['webhook-id']}.${plain['webhook-timestamp']}.${body}`)
          .digest('base64');
        assert.equal(plain['webhook-signature'], `v1,${mac}`);
        // 3. The Python example, and a tampered body it must refuse.
        const python = (input: string) =>
          spawnSync(
            'python3',
            [
              'examples/python/verify_webhook.py',
              plain['webhook-id'],
              plain['webhook-timestamp'],
              plain['webhook-signature'],
            ],
            { input, encoding: 'utf8', env: { ...process.env, WEBHOOK_SECRET: secret } },
          );
        const good = python(body);
        assert.equal(good.status, 0, good.stdout + good.stderr);
        assert.equal(good.stdout.trim(), 'valid experiment.succeeded');
        const bad = python(body.replace('succeeded', 'failed'));
        assert.equal(bad.status, 1);
        assert.match(bad.stdout, /^invalid: /);
        assert.throws(() => new Webhook(secret).verify(body.replace('succeeded', 'failed'), plain));
      }
    } finally {
      await http().delete(`/v1/webhooks/${created.body.id}`).expect(204);
    }
    await http().get(`/v1/webhooks/${created.body.id}`).expect(404);
    assert.deepEqual((await http().get('/v1/webhooks').expect(200)).body.items, []);
  });

  test('a cancelled experiment sends experiment.cancelled (the API made it final)', async () => {
    const id = await submitNotified(receiver.url, ['cancelled'], {
      ...smallRequest(200_000, 3),
      signalLength: 1024,
      filterbank: { numFilters: 40, filterLengths: [1024] },
    });
    await http().post(`/v1/experiments/${id}/cancel`).expect(200);
    const attempts = await attemptsUntil(id, delivered, 'the cancelled event');
    const body = JSON.parse(accepted(receiver, attempts[0]!.deliveryId)[0]!.body) as {
      type: string;
      data: { status: string };
    };
    assert.equal(body.type, 'experiment.cancelled');
    assert.equal(body.data.status, 'cancelled');
  });

  test('progress, when asked for, is sent while the experiment runs', async () => {
    const id = await submitNotified(receiver.url, ['progress', 'succeeded'], {
      ...smallRequest(4000, 5),
      signalLength: 512,
      filterbank: { numFilters: 20, filterLengths: [256, 512] },
    });
    const attempts = await attemptsUntil(
      id,
      (a) => a.some((x) => x.event === 'succeeded' && x.status === 'delivered'),
      'the succeeded event',
    );
    const progress = attempts.filter((a) => a.event === 'progress' && a.status === 'delivered');
    assert.ok(progress.length >= 1, JSON.stringify(attempts));
    const body = JSON.parse(accepted(receiver, progress[0]!.deliveryId)[0]!.body) as { type: string };
    assert.equal(body.type, 'experiment.progress');
  });
});

test('standing webhooks belong to their API key: another key neither lists nor reads nor deletes them', async () => {
  const keyed = await stack.extraApp({ ...env, API_KEYS: 'key-a,key-b' });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const created = await request(keyed.server)
    .post('/v1/webhooks')
    .set(as('key-a'))
    .send({ url: receiver.url })
    .expect(201);
  assert.deepEqual(created.body.events, ['succeeded', 'failed', 'cancelled']);
  const path = `/v1/webhooks/${created.body.id}`;
  assert.deepEqual(
    (await request(keyed.server).get('/v1/webhooks').set(as('key-b')).expect(200)).body.items,
    [],
  );
  await request(keyed.server).get(path).set(as('key-b')).expect(404);
  await request(keyed.server).delete(path).set(as('key-b')).expect(404);
  await request(keyed.server).get('/v1/webhooks').expect(401);
  await request(keyed.server).delete(path).set(as('key-a')).expect(204);
});

test('at most 20 standing webhooks per key; deleting one stops its deliveries still being retried', async () => {
  const made: string[] = [];
  for (let i = 0; i < 20; i++)
    made.push(
      (
        await http()
          .post('/v1/webhooks')
          .send({ url: `${receiver.url}?n=${i}`, events: ['cancelled'] })
          .expect(201)
      ).body.id as string,
    );
  const refused = await http().post('/v1/webhooks').send({ url: receiver.url });
  assert.equal(refused.status, 422, refused.text);
  assert.equal(problemOf(refused).type, '/problems/webhook-refused');
  for (const id of made) await http().delete(`/v1/webhooks/${id}`).expect(204);

  const hook = (await http().post('/v1/webhooks').send({ url: receiver.url }).expect(201)).body as {
    id: string;
  };
  receiver.answers.push(...Array.from({ length: 20 }, () => ({ status: 500 })));
  try {
    const id = (await http().post('/v1/experiments').send(smallRequest(20, 9)).expect(202)).body.id as string;
    await attemptsUntil(id, (a) => a.some((x) => x.status === 'retrying'), 'a failed attempt');
    await http().delete(`/v1/webhooks/${hook.id}`).expect(204);
    const attempts = await attemptsUntil(id, (a) => a.some((x) => x.status === 'failed'), 'the stop');
    assert.equal(attempts.at(-1)!.error, 'the webhook was deleted');
    assert.ok(attempts.every((a) => a.target === hook.id && a.status !== 'delivered'));
  } finally {
    receiver.answers.length = 0;
  }
});

describe('retries', () => {
  test('500, 500, then 200: exactly one accepted delivery, and three attempts recorded', async () => {
    receiver.answers.push({ status: 500 }, { status: 500 });
    const id = await submitNotified(receiver.url);
    const attempts = await attemptsUntil(id, delivered, 'the delivery after two 500s');
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.status, a.httpStatus]),
      [
        [1, 'retrying', 500],
        [2, 'retrying', 500],
        [3, 'delivered', 200],
      ],
    );
    assert.ok(attempts.every((a) => a.latencyMs >= 0 && a.deliveryId === attempts[0]!.deliveryId));
    assert.ok(attempts.slice(0, 2).every((a) => a.nextAttemptAt !== undefined));
    assert.equal(accepted(receiver, attempts[0]!.deliveryId).length, 1);
    assert.equal(
      receiver.received.filter((r) => r.headers['webhook-id'] === attempts[0]!.deliveryId).length,
      3,
    );
  });

  test('a receiver that is down, then up, still gets the delivery', async () => {
    await receiver.stop();
    let id: string;
    try {
      id = await submitNotified(receiver.url);
      await attemptsUntil(
        id,
        (a) => a.filter((x) => x.status === 'retrying').length >= 2,
        'two refused attempts',
      );
    } finally {
      await receiver.start();
    }
    const attempts = await attemptsUntil(id, delivered, 'the delivery once the receiver is up');
    assert.ok(attempts.slice(0, -1).every((a) => a.httpStatus === null && a.error !== null));
    assert.equal(accepted(receiver, attempts[0]!.deliveryId).length, 1);
  });

  test('a slow receiver times out and the delivery is retried', async () => {
    receiver.answers.push({ status: 200, holdMs: 5000 });
    const id = await submitNotified(receiver.url);
    const attempts = await attemptsUntil(id, delivered, 'the delivery after a timeout');
    assert.equal(attempts[0]!.status, 'retrying');
    assert.match(attempts[0]!.error ?? '', /timed out after 1000 ms/);
    assert.equal(attempts[0]!.httpStatus, null);
    assert.equal(attempts.at(-1)!.status, 'delivered');
  });

  test('429 with Retry-After waits that long; a 404 stops the delivery', async () => {
    receiver.answers.push({ status: 429, headers: { 'retry-after': '1' } });
    const id = await submitNotified(receiver.url);
    const attempts = await attemptsUntil(id, delivered, 'the delivery after a 429');
    const first = attempts[0]!;
    assert.equal(first.httpStatus, 429);
    // The backoff alone would wait at most WEBHOOK_RETRY_BASE_MS (100 ms).
    assert.ok(Date.parse(first.nextAttemptAt!) - Date.parse(first.startedAt) >= 1000, JSON.stringify(first));

    receiver.answers.push({ status: 404 });
    const gone = await submitNotified(receiver.url);
    const stopped = await attemptsUntil(gone, (a) => a.some((x) => x.status === 'failed'), 'the 404');
    assert.deepEqual(
      stopped.map((a) => [a.attempt, a.status, a.httpStatus]),
      [[1, 'failed', 404]],
    );
  });
});

describe('server-side request forgery is refused', () => {
  let strict: Stack;
  before(async () => {
    strict = await startStack({ env: { ...env, WEBHOOK_ALLOW_PRIVATE: 'false' } });
  });
  after(async () => {
    await strict.close();
  });

  const refused = [
    'http://127.0.0.1:9/hook',
    'http://localhost/hook',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
  ];
  for (const url of refused) {
    test(`notify.url ${url} → 422 naming notify.url; so does a standing webhook's url`, async () => {
      const res = await request(strict.app.server)
        .post('/v1/experiments')
        .send({ ...smallRequest(10, 1), notify: { url } });
      assert.equal(res.status, 422, res.text);
      const problem = problemOf(res);
      assert.equal(problem.type, '/problems/webhook-refused');
      assert.deepEqual(
        (problem.errors as { path: string }[]).map((e) => e.path),
        ['notify.url'],
      );
      const hook = await request(strict.app.server).post('/v1/webhooks').send({ url });
      assert.equal(hook.status, 422, hook.text);
      assert.deepEqual(
        (problemOf(hook).errors as { path: string }[]).map((e) => e.path),
        ['url'],
      );
    });
  }

  test('only http and https: another scheme is a 400 naming notify.url', async () => {
    const res = await request(strict.app.server)
      .post('/v1/experiments')
      .send({ ...smallRequest(10, 1), notify: { url: 'ftp://example.com/hook' } });
    assert.equal(res.status, 400, res.text);
    assert.ok((problemOf(res).errors as { path: string }[]).some((e) => e.path === 'notify.url'));
  });

  test('notify without WEBHOOK_SECRET on the server is a 422 naming notify', async () => {
    const { WEBHOOK_SECRET: _unset, ...withoutSecret } = env;
    const app = await strict.extraApp({ ...withoutSecret, WEBHOOK_ALLOW_PRIVATE: 'true' });
    const res = await request(app.server)
      .post('/v1/experiments')
      .send({ ...smallRequest(10, 1), notify: { url: 'http://127.0.0.1/' } });
    assert.equal(res.status, 422, res.text);
    const problem = problemOf(res);
    assert.equal(problem.type, '/problems/webhook-refused');
    assert.match(problem.detail, /WEBHOOK_SECRET/);
  });

  test('a POST without notify sends Redis the same commands as one with it (none for webhooks)', async () => {
    const calls = async () => {
      const info = await strict.redis.info('commandstats');
      return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    const open = await strict.extraApp({ ...env, WEBHOOK_ALLOW_PRIVATE: 'true' });
    const cost = async (body: object) => {
      const before = await calls();
      await request(open.server).post('/v1/experiments').send(body).expect(202);
      return (await calls()) - before;
    };
    await cost(smallRequest(10, 1)); // the queue's first use opens it
    const plain = await cost(smallRequest(10, 2));
    const notified = await cost({ ...smallRequest(10, 3), notify: { url: receiver.url } });
    assert.equal(notified, plain);
  });
});
