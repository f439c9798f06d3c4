import { createStream } from '../../core/random/stream-seed.js';
import type { Xoshiro128StarStar } from '../../core/random/xoshiro128.js';
import {
  batchedProgress,
  type ExperimentTask,
  type SimulationOutput,
  type TrialProgress,
} from './experiment-definition.js';
import { STREAM_PURPOSE } from './random-keys.js';

/**
 * Runs one simulate task: for each trial of its range, hands `measure` the trial's own stream
 * (seed, J, T, trial), from which it draws the filterbank (drawFilters, or a kernel's
 * `…FromDraw` method, which reads the stream in the same order) and writes `width` values at
 * `offset` of the output. Checks for cancellation and reports progress every 16 trials. Every
 * experiment type's Monte Carlo goes through here, so all draw the same filters for the same
 * (seed, J, T, trial).
 */
export function simulateTrials(
  task: Extract<ExperimentTask, { kind: 'simulate' }>,
  draw: { seed: number; numFilters: number; filterLength: number },
  width: number,
  measure: (stream: Xoshiro128StarStar, values: Float64Array, offset: number) => void,
  onProgress: TrialProgress,
  abort?: AbortSignal,
): SimulationOutput {
  const { seed, numFilters: J, filterLength: T } = draw;
  const values = new Float64Array((task.trialEnd - task.trialStart) * width);
  const progress = batchedProgress(onProgress, 16);
  for (let trial = task.trialStart; trial < task.trialEnd; trial++) {
    abort?.throwIfAborted();
    measure(
      createStream(seed, STREAM_PURPOSE.filters, J, T, trial),
      values,
      (trial - task.trialStart) * width,
    );
    progress.tick();
  }
  progress.flush();
  return { kind: 'simulate', cell: task.cell, trialStart: task.trialStart, trialEnd: task.trialEnd, values };
}
