import { experimentRequestSchema, planExperiment, withSeed } from '../../experiments/experiment-request.js';
import type { EnergyResult } from '../../experiments/energy/result.js';
import type { FrameBoundsResult } from '../../experiments/frame-bounds/result.js';
import { runExperiment } from '../../experiments/run-experiment.js';
import { energyPlotNames, frameBoundsPlotNames } from '../../plots/index.js';

/** An energy request as a client writes it: two of the paper's signals, one (J, T) cell each. */
export const ENERGY_REQUEST_EXAMPLE = {
  type: 'energy',
  seed: 2024,
  trials: 200,
  filterbank: { numFilters: 16, filterLengths: [32] },
  signals: [
    { kind: 'impulse', length: 256, name: 'impulse' },
    { kind: 'sine', length: 256, frequency: 0.5, name: 'alternating-sine' },
  ],
} as const;

/** A frame-bounds request as a client writes it: two filter lengths at stride 1. */
export const FRAME_BOUNDS_REQUEST_EXAMPLE = {
  type: 'frame-bounds',
  seed: 2024,
  trials: 200,
  signalLength: 256,
  filterbank: { numFilters: 16, filterLengths: [16, 64] },
} as const;

/** The experiment resource of `request` once it succeeded, with the result the engine computes. */
function finishedResource(id: string, request: unknown) {
  const resolved = withSeed(experimentRequestSchema.parse(request), () => 0);
  // As the service stores it: JSON, so a number that is not finite is already null.
  const result = JSON.parse(JSON.stringify(runExperiment(resolved))) as EnergyResult | FrameBoundsResult;
  // The engine hash changes with any edit of the numerics' sources, comments included; the
  // document shows its place, so that only a change of the numbers makes it stale.
  const withVersion = result as { engineVersion?: string };
  if (withVersion.engineVersion !== undefined)
    withVersion.engineVersion = withVersion.engineVersion.replace(/\+[0-9a-f]+\./, '+0123456789ab.');
  const self = `/v1/experiments/${id}`;
  const plots =
    resolved.type === 'energy'
      ? energyPlotNames(result as EnergyResult)
      : frameBoundsPlotNames(result as FrameBoundsResult);
  const { totalTrials } = planExperiment(resolved);
  return {
    id,
    type: resolved.type,
    status: 'succeeded',
    progress: { completedTrials: totalTrials, totalTrials, fraction: 1 },
    request: JSON.parse(JSON.stringify(resolved)) as unknown,
    createdAt: '2026-01-15T09:30:00.000Z',
    startedAt: '2026-01-15T09:30:00.120Z',
    finishedAt: '2026-01-15T09:30:00.480Z',
    links: { self, events: `${self}/events`, plots: plots.map((name) => `${self}/plots/${name}.svg`) },
    result,
  };
}

let cached: ReturnType<typeof build> | undefined;

function build() {
  const energy = finishedResource('3f1c2a9e-5b7d-4e21-9c4a-8d2f6b0e1a73', ENERGY_REQUEST_EXAMPLE);
  const frameBounds = finishedResource('9b4e7d12-0c3a-4f58-b6e1-2a7c9d5f8e04', FRAME_BOUNDS_REQUEST_EXAMPLE);
  const { result: _result, finishedAt: _f, startedAt: _s, ...rest } = frameBounds;
  const queued = {
    ...rest,
    status: 'queued',
    progress: { completedTrials: 0, totalTrials: frameBounds.progress.totalTrials, fraction: 0 },
    links: { self: frameBounds.links.self, events: frameBounds.links.events },
  };
  return { energy, frameBounds, queued };
}

/**
 * Examples of the experiment resource for the OpenAPI document, from real runs of the engine
 * (the run `fbstab run` makes, in-process: same request and seed, same result). Only the id and
 * the times are made up. Computed once, on first use (about 0.1 s).
 */
export function experimentExamples(): ReturnType<typeof build> {
  cached ??= build();
  return cached;
}
