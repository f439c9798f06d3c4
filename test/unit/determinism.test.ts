// README, "Results are reproducible": the same request and seed give identical results, however the work is split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  runPlanSequentially,
  type ExperimentTask,
} from '../../src/experiments/common/experiment-definition.js';
import { experimentRequestSchema, planExperiment } from '../../src/experiments/experiment-request.js';
import { runExperimentInParallel } from '../../src/runtime/parallel-runner.js';

const requests = [
  {
    type: 'energy',
    seed: 123,
    trials: 103,
    filterbank: { numFilters: [2, 7], filterLengths: [5, 64, 90] },
    signals: [
      { kind: 'white-noise', length: 90 },
      { kind: 'impulse', length: 128, position: 3 },
    ],
  },
  {
    type: 'frame-bounds',
    seed: 99,
    trials: 97,
    signalLength: 120,
    filterbank: {
      numFilters: [3, 8],
      filterLengths: [4, 120],
      stride: 2,
      init: { scheme: 'pytorch-default' },
    },
  },
  {
    // Stride 1 on a power-of-two grid: the WebAssembly kernel's shapes, both of its routes.
    type: 'frame-bounds',
    seed: 5,
    trials: 61,
    signalLength: 64,
    filterbank: { numFilters: [3, 8], filterLengths: [5, 40] },
  },
  {
    // A stride on a power-of-two grid: the WebAssembly strided route (the 2d×2d embedding).
    type: 'frame-bounds',
    seed: 17,
    trials: 37,
    signalLength: 64,
    filterbank: { numFilters: [3, 8], filterLengths: [5, 64], stride: 4 },
  },
];

for (const [index, body] of requests.entries()) {
  for (const kernel of ['js', 'wasm'] as const) {
    test(`${body.type} #${index}, ${kernel} kernels: chunk sizes, task order and thread counts give identical results`, async () => {
      const request = { ...experimentRequestSchema.parse(body), seed: body.seed };
      const reference = runPlanSequentially(planExperiment(request, undefined, { kernel }));
      for (const chunk of [1, 7, 1000]) {
        const plan = planExperiment(request, undefined, { kernel });
        // Run the tasks in reverse, as a queue of many workers might finish them.
        const tasks: ExperimentTask[] = plan.tasks(chunk).reverse();
        const outputs = tasks.map((task) => plan.runTask(task, () => {}));
        assert.deepStrictEqual(plan.assemble(outputs), reference, `chunk ${chunk}`);
      }
      for (const threads of [2, 3]) {
        const parallel = await runExperimentInParallel(request, { threads, chunkTrials: 11, kernel });
        assert.deepStrictEqual(parallel, reference, `${threads} threads`);
      }
    });
  }
}

test('progress reaches the total exactly once per trial, and an aborted run stops', async () => {
  const request = { ...experimentRequestSchema.parse(requests[1]), seed: 1 };
  const seen: number[] = [];
  runPlanSequentially(planExperiment(request), (done, total) => {
    assert.equal(total, 97 * 4);
    seen.push(done);
  });
  assert.equal(seen.at(-1), 97 * 4);
  assert.ok(seen.every((v, i) => i === 0 || v > seen[i - 1]!));
  const controller = new AbortController();
  assert.throws(
    () =>
      runPlanSequentially(
        planExperiment(request),
        (done) => {
          if (done > 50) controller.abort();
        },
        controller.signal,
      ),
    { name: 'AbortError' },
  );
});
