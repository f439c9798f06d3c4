// Hostile input to the webhook surface (property-based, fast-check, its own seed): mutated
// `notify` fields on experiments, mutated POST /v1/webhooks bodies and odd ids on the webhook
// and deliveries routes. Every answer is < 500 and every 4xx is problem+json without internals;
// no webhook is ever stored (the valid URL is a documentation address, refused without DNS).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import { keys, PUBLIC_OWNER } from '../../src/store/redis-keys.js';
import { smallRequest, startStack, type Stack } from '../api/helpers.js';

let stack: Stack;
before(async () => {
  stack = await startStack({
    env: {
      RATE_LIMIT_PER_MINUTE: '0',
      WEBHOOK_SECRET: `whsec_${Buffer.from('fbstab webhook fuzz secret 32 bytes').toString('base64')}`,
    },
  });
});
after(async () => {
  await stack.close();
});

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    '',
    '__proto__',
    '\u0000',
    '\uD800',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'http://169.254.169.254/',
    'http://[::ffff:7f00:1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://127.1/',
    'gopher://203.0.113.9/',
    'http://203.0.113.9:99999/',
    'http://u:p@203.0.113.9/',
    [],
    {},
    ['succeeded', 'succeeded'],
    ['nope'],
    Array.from({ length: 5000 }, () => 'succeeded'),
  ),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

const validNotify = { url: 'http://203.0.113.9/hook', events: ['succeeded', 'progress'] };
const paths: (string | number)[][] = [['url'], ['events'], ['events', 0], ['__proto__'], ['extra']];

/** `body` with the field at `path` replaced by `value` (deleted when undefined). */
function mutate(body: Record<string, unknown>, path: (string | number)[], value: unknown) {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else Object.defineProperty(node, last, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

const call = fc.oneof(
  fc.tuple(fc.constantFrom(...paths), fc.oneof(hostile, fc.constant(undefined))).map(([path, value]) => ({
    method: 'POST',
    path: '/v1/experiments',
    body: { ...smallRequest(5, 1), notify: mutate(validNotify, path, value) },
  })),
  fc.tuple(fc.constantFrom(...paths), fc.oneof(hostile, fc.constant(undefined))).map(([path, value]) => ({
    method: 'POST',
    path: '/v1/webhooks',
    body: mutate(validNotify, path, value),
  })),
  fc.tuple(fc.constantFrom('GET', 'DELETE', 'POST'), fc.string({ maxLength: 60 })).map(([method, id]) => ({
    method,
    path: `/v1/webhooks/${encodeURIComponent(id)}`,
    body: undefined,
  })),
  fc.string({ maxLength: 60 }).map((id) => ({
    method: 'GET',
    path: `/v1/experiments/${encodeURIComponent(id)}/deliveries`,
    body: undefined,
  })),
);

test('1,000 hostile webhook requests: never a 5xx, problem+json without internals, nothing stored', async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(call, async (c) => {
      const agent = request(stack.app.server);
      const res =
        c.method === 'POST'
          ? await agent.post(c.path).send(c.body as object)
          : c.method === 'DELETE'
            ? await agent.delete(c.path)
            : await agent.get(c.path);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const where = `${c.method} ${c.path} ${JSON.stringify(c.body)?.slice(0, 200)}`;
      assert.ok(res.status < 500, `${res.status} for ${where}: ${res.text.slice(0, 300)}`);
      if (res.status >= 400) {
        assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, where);
        assert.doesNotMatch(res.text, /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error: /, where);
      }
      assert.notEqual(res.status, 201, `a webhook was stored: ${where}`);
    }),
    { numRuns: 1000, seed: 20261130, endOnFailure: true },
  );
  assert.equal(await stack.redis.scard(keys.webhooksOf(PUBLIC_OWNER)), 0);
  assert.equal(await stack.redis.scard(keys.webhookOwners), 0);
  console.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
});
