// Cancelling a running experiment: the status becomes cancelled, the event stream ends with it,
// and the workers stop (progress stops growing; the experiment never succeeds).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { readEvents, startStack, waitFor, type SseEvent, type Stack } from './helpers.js';

/** ≈ 200 core-seconds of work (J = 40, T = 1024, 200 000 trials): it cannot finish during the test. */
const bigRequest = {
  type: 'frame-bounds',
  seed: 1,
  trials: 200_000,
  signalLength: 1024,
  filterbank: { numFilters: 40, filterLengths: [1024] },
};

interface Resource {
  id: string;
  status: string;
  progress: { completedTrials: number };
}

let stack: Stack;

before(async () => {
  stack = await startStack({ workers: true, env: { MAX_EXPERIMENT_COST: '1000000' } });
});
after(async () => {
  await stack.close();
});

test('cancel of a running experiment stops it', async () => {
  const http = () => request(stack.app.server);
  const get = async (id: string) => (await http().get(`/v1/experiments/${id}`).expect(200)).body as Resource;
  const { id } = (await http().post('/v1/experiments').send(bigRequest).expect(202)).body as Resource;

  // Wait until it runs and has reported progress (workers flush every 250 ms; 15 s for a slow machine).
  await waitFor(
    () => get(id),
    (r) => r.status === 'running' && r.progress.completedTrials > 0,
    15_000,
    'progress',
  );

  let sawProgress = false;
  const stream = readEvents(`${stack.base}/v1/experiments/${id}/events`, {
    timeoutMs: 10_000,
    onEvent: (event: SseEvent) => {
      if (event.event === 'progress') sawProgress = true;
    },
  });
  // Cancel once the stream has started (its first event is the current progress).
  await waitFor(
    async () => sawProgress,
    (v) => v,
    5000,
    'the first event',
  );

  const cancelled = await http().post(`/v1/experiments/${id}/cancel`).expect(200);
  assert.equal((cancelled.body as Resource).status, 'cancelled');

  const { events } = await stream;
  const last = events.at(-1);
  assert.equal(last?.event, 'status');
  assert.equal((last?.data as { status: string }).status, 'cancelled');

  // Tasks in flight abort on the cancel message; let a last progress flush land (250 ms
  // flush interval, so 750 ms is three of them), then progress must stay still for 2 s, long
  // enough for several flushes of a task that kept running.
  await new Promise((r) => setTimeout(r, 750));
  const settled = (await get(id)).progress.completedTrials;
  await new Promise((r) => setTimeout(r, 2000));
  const later = await get(id);
  assert.equal(later.status, 'cancelled');
  assert.equal(later.progress.completedTrials, settled, 'progress stopped growing');
  assert.ok(settled < 200_000, 'far from finished');

  // Cancelling again returns it unchanged.
  const again = await http().post(`/v1/experiments/${id}/cancel`).expect(200);
  assert.equal((again.body as Resource).status, 'cancelled');
});
