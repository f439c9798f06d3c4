import { z } from 'zod';
import type { KernelPreference } from '../core/wasm/kernel-choice.js';
import type { ExperimentPlan } from './common/experiment-definition.js';
import type { StoredSignal } from './common/prepare-signal.js';
import { planEnergy } from './energy/plan.js';
import type { EnergyResult } from './energy/result.js';
import { energyRequestSchema } from './energy/schema.js';
import { planFrameBounds } from './frame-bounds/plan.js';
import type { FrameBoundsResult } from './frame-bounds/result.js';
import { frameBoundsRequestSchema } from './frame-bounds/schema.js';

/** Body of `POST /v1/experiments` and of `fbstab run` (docs/api.md "Experiments"). */
export const experimentRequestSchema = z.discriminatedUnion('type', [
  energyRequestSchema,
  frameBoundsRequestSchema,
]);
export type ExperimentRequestInput = z.input<typeof experimentRequestSchema>;
export type ExperimentRequest = z.output<typeof experimentRequestSchema>;
/** A request with every default filled in, the seed included. */
export type SeededExperimentRequest = ExperimentRequest & { seed: number };
export type ExperimentResult = EnergyResult | FrameBoundsResult;

/** The request with its seed, drawing one with `drawSeed` when absent (docs/api.md `seed`). */
export function withSeed(request: ExperimentRequest, drawSeed: () => number): SeededExperimentRequest {
  return { ...request, seed: request.seed ?? drawSeed() };
}

/**
 * Plans any experiment type; the one entry point for CLI, threads, API and workers. `kernel`
 * picks the per-trial kernels (docs/theory.md §12), default `auto`.
 */
export function planExperiment(
  request: SeededExperimentRequest,
  stored?: ReadonlyMap<string, StoredSignal>,
  options: { kernel?: KernelPreference } = {},
): ExperimentPlan<unknown, ExperimentResult> {
  const kernel = { kernel: options.kernel ?? 'auto' };
  switch (request.type) {
    case 'energy':
      return planEnergy(request, stored, kernel) as ExperimentPlan<unknown, ExperimentResult>;
    case 'frame-bounds':
      return planFrameBounds(request, kernel) as ExperimentPlan<unknown, ExperimentResult>;
  }
}
