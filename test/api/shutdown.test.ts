// Closing the app ends its open event streams, so a shutdown (src/server.ts) does not wait
// for clients that follow experiments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { readEvents, smallRequest, startStack, waitFor } from './helpers.js';

test('app.close() ends open event streams at once', async () => {
  const stack = await startStack(); // no workers: the experiment stays queued and its stream open
  try {
    const { id } = (await request(stack.app.server).post('/v1/experiments').send(smallRequest()).expect(202))
      .body as { id: string };
    let received = 0;
    const stream = readEvents(`${stack.base}/v1/experiments/${id}/events`, {
      timeoutMs: 5000,
      onEvent: () => received++,
    });
    await waitFor(
      async () => received,
      (n) => n >= 2,
      5000,
      'the current progress and status',
    );
    const started = Date.now();
    await stack.app.close();
    const { events } = await stream;
    // Without the preClose hook, close() would wait for the client; 1 s is far above the ~30 ms it takes.
    assert.ok(Date.now() - started < 1000, `closed in ${Date.now() - started} ms`);
    assert.deepEqual(
      events.map((e) => e.event),
      ['progress', 'status'],
    );
    assert.equal((events[1]?.data as { status: string }).status, 'queued');
  } finally {
    await stack.close(); // closing the app twice is harmless
  }
});
