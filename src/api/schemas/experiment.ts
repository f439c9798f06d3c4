import { z } from 'zod';
import { EXPERIMENT_STATUSES } from '../../store/experiment-record.js';
import { experimentRequestSchema } from '../../experiments/experiment-request.js';
import { problemSchema } from './problem.js';

/** The request schema itself (never a copy), registered once under a component name. */
if (!z.globalRegistry.has(experimentRequestSchema)) {
  z.globalRegistry.add(experimentRequestSchema, {
    id: 'ExperimentRequest',
    description: 'Body of POST /v1/experiments (docs/api.md "Experiments")',
  });
}
export { experimentRequestSchema };

export const experimentStatusSchema = z.enum(EXPERIMENT_STATUSES).meta({ id: 'ExperimentStatus' });

export const progressSchema = z
  .object({
    completedTrials: z.int().min(0),
    totalTrials: z.int().min(0),
    fraction: z.number().min(0).max(1),
  })
  .meta({ id: 'Progress' });

const energyResultDoc =
  'Energy result, statistics of the energy ratio ‖Φx‖²/‖x‖²: `{ cells: [{ signal, numFilters, filterLength, signalLength, empirical: { trials, mean, std, min, max, quantiles, deviation: { upper, lower }, histogram: { edges, counts } }, theory: { mean, variance, deviation: { cantelli, chebyshev, chernoff, exactUpper, exactLower } } }], engineVersion }`';
const frameBoundsResultDoc =
  'Frame-bounds result: `{ cells: [{ numFilters, filterLength, signalLength, stride, empirical: { trials, A: { mean, std, quantiles }, B: {…}, kappa: { mean, median, std, quantiles }, kappaOfMeans }, theory: { A: { chi2, asymptotic }, B: {…}, kappaTilde, kappaChi2, refined: { A, B, kappa }, predicted: { A, B, kappa, kappaMedian, kappaQuantiles } | null } }], scalingLaw?: { c, r2, points }, engineVersion }`; `predicted` is docs/theory.md §11 (null at stride > 1). ' +
  'A and B (empirical and theory) are normalised by the mean eigenvalue level J·T·σ²/d (σ² the tap variance, d the stride; docs/theory.md §6), ' +
  'so a filterbank that keeps the expected energy has A = B = 1 at any stride; κ = B/A is unchanged by it. ' +
  'POST /v1/analyze/filterbank, by contrast, gives A and B not normalised';

/**
 * The result of a succeeded experiment. Documented, not enforced field by field: its shape is
 * fixed by the experiment definitions (docs/api.md "Energy result", "Frame-bounds result"). A
 * number that is not finite is sent as null with the reason in a sibling `notes` array.
 */
export const experimentResultSchema = z
  // In the order the engine assembles them: serialising puts these keys first, in this order, so
  // the API serves the bytes `fbstab run` prints (test/cli-server.test.ts).
  .looseObject({
    cells: z.array(z.record(z.string(), z.unknown())),
    engineVersion: z
      .string()
      .optional()
      .describe(
        'The engine that computed the result (docs/theory.md §12): package version, build hash and kernels (js or wasm). Equal request, seed and engineVersion give identical results. Absent in results of builds before it was recorded.',
      ),
    scalingLaw: z.record(z.string(), z.unknown()).optional().describe('Frame-bounds only, with ≥ 3 finite κ̄'),
  })
  .describe(`${energyResultDoc}. ${frameBoundsResultDoc}.`)
  .meta({ id: 'ExperimentResult' });

/** The experiment resource of docs/api.md. */
export const experimentResourceSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(['energy', 'frame-bounds']),
    status: experimentStatusSchema,
    progress: progressSchema,
    request: z
      .record(z.string(), z.unknown())
      .describe('The request with every default filled in, and the seed (see ExperimentRequest)'),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().optional(),
    finishedAt: z.iso.datetime().optional(),
    links: z.object({
      self: z.string(),
      events: z.string(),
      plots: z.array(z.string()).optional().describe('URLs of its SVG plots, once it succeeded'),
    }),
    result: experimentResultSchema.optional().describe('When succeeded'),
    error: problemSchema.optional().describe('When failed'),
  })
  .meta({ id: 'Experiment' });

export const experimentIdParamsSchema = z.object({
  id: z.uuid().describe('Experiment id; an unknown or malformed id gives 404'),
});

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size, 1..100'),
  cursor: z.string().min(1).max(500).optional().describe('`nextCursor` of the previous page'),
  status: experimentStatusSchema.optional().describe('Only experiments with this status'),
});

export const submitHeadersSchema = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('A retry with the same key returns the first experiment; another body with it gives 409'),
});
