import type { KernelPreference } from '../core/wasm/kernel-choice.js';
import { runPlanSequentially } from './common/experiment-definition.js';
import type { StoredSignal } from './common/prepare-signal.js';
import { planExperiment, type ExperimentResult, type SeededExperimentRequest } from './experiment-request.js';

/**
 * The pure runner of docs/architecture.md: `(request, rng, onProgress, signal) → result`. The
 * randomness is the request's seed: every trial draws from its own stream derived from it, so
 * the result does not depend on how trials are scheduled (see experiment-definition.ts) and no
 * generator object is passed.
 */
export function runExperiment(
  request: SeededExperimentRequest,
  onProgress?: (completedTrials: number, totalTrials: number) => void,
  signal?: AbortSignal,
  stored?: ReadonlyMap<string, StoredSignal>,
  kernel: KernelPreference = 'auto',
): ExperimentResult {
  return runPlanSequentially(planExperiment(request, stored, { kernel }), onProgress, signal);
}
