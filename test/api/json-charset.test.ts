// JSON bodies are UTF-8 (RFC 8259 §8.1; docs/api.md "Errors"): a JSON body labelled with any
// other charset gets 415 problem+json naming that charset, on every route that takes JSON,
// while `charset=utf-8` (in any case, quoted or not) and no charset at all are accepted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { problemOf, smallRequest, startStack, type Stack } from './helpers.js';

let stack: Stack;
const http = () => request(stack.app.server);

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
after(async () => {
  await stack.close();
});

/** Every route with a JSON body, and a valid body for it. */
const ROUTES: [string, unknown][] = [
  ['/v1/experiments', smallRequest(10, 1)],
  ['/v1/signals', { samples: [1, 0.5, -0.25] }],
  ['/v1/analyze/signal', { signal: { kind: 'impulse', length: 16 }, numFilters: 4, filterLengths: [4] }],
  [
    '/v1/analyze/filterbank',
    {
      weights: [
        [1, 0.5],
        [0.25, -1],
      ],
    },
  ],
  ['/v1/design', { filterLengths: [16], targetKappa: 2 }],
];

describe('a JSON body labelled with a charset other than UTF-8', () => {
  for (const [path, body] of ROUTES) {
    test(`POST ${path}: 415 naming the charset`, async () => {
      for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"windows-1252"']) {
        const res = await http()
          .post(path)
          .set('content-type', `application/json; charset=${charset}`)
          .send(JSON.stringify(body))
          .expect(415);
        const problem = problemOf(res);
        assert.match(problem.detail, new RegExp(charset.replaceAll('"', ''), 'i'));
        assert.match(problem.detail, /UTF-8/);
      }
    });

    test(`POST ${path}: accepted as UTF-8, labelled or not`, async () => {
      for (const type of [
        'application/json',
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
        'application/json; charset=utf8',
        'application/json; charset="utf-8"',
      ]) {
        const res = await http().post(path).set('content-type', type).send(JSON.stringify(body));
        assert.ok(res.status < 300, `${type}: ${res.status} ${res.text}`);
      }
    });
  }
});
