import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTaskPool } from '../../src/runtime/parallel-runner.js';

// Plans submit their costliest tasks first so the threads finish together; that only works if
// the pool starts tasks in submission order (piscina's default re-queues some at the tail).
test('the task pool starts tasks in the order they were submitted', async () => {
  const pool = createTaskPool(1, new URL('../fixtures/count-thread.mjs', import.meta.url).href);
  try {
    const taken = await Promise.all(Array.from({ length: 12 }, () => pool.run(null) as Promise<number>));
    assert.deepEqual(taken, Array.from({ length: 12 }, (_, i) => i));
  } finally {
    await pool.destroy();
  }
});
