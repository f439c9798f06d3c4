// One log line per request (src/api/app.ts): at info, with the request id, except the polls a
// dashboard fleet sends every second (a 304, a changedSince read answered 200), which are at
// debug; errors are at info or above whatever the route.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/api/app.js';
import { startStack, type Stack } from './helpers.js';

let stack: Stack;
let app: FastifyInstance;
const lines: { level: number; msg: string; url?: string; statusCode?: number; reqId?: string }[] = [];

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  app = await buildApp({ config: stack.config, redis: stack.redis, logger: pino({ level: 'debug' }, sink) });
  await app.ready();
});
after(async () => {
  await app.close();
  await stack.close();
});

/** The request line of the request with this id. */
async function lineOf(id: string) {
  for (let i = 0; i < 50; i++) {
    const line = lines.find((l) => l.reqId === id && l.msg === 'request completed');
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`no request line for ${id}`);
}
const get = (url: string, headers: Record<string, string> = {}) => request(app.server).get(url).set(headers);

test('a list is logged at info; its changedSince polls and 304s at debug; a bad poll at info', async () => {
  const list = await get('/v1/experiments').expect(200);
  assert.equal((await lineOf(list.headers['x-request-id']!)).level, 30);

  const token = (list.body as { changeToken: string }).changeToken;
  const poll = await get(`/v1/experiments?changedSince=${token}`).expect(200);
  const pollLine = await lineOf(poll.headers['x-request-id']!);
  assert.equal(pollLine.level, 20);
  assert.equal(pollLine.statusCode, 200);

  const unchanged = await get('/v1/experiments', { 'if-none-match': list.headers.etag! }).expect(304);
  assert.equal((await lineOf(unchanged.headers['x-request-id']!)).level, 20);

  const bad = await get('/v1/experiments?changedSince=nonsense').expect(400);
  assert.ok((await lineOf(bad.headers['x-request-id']!)).level >= 30);
});
