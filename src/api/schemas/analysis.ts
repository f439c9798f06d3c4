import { z } from 'zod';
import {
  analyzeFilterbankQuerySchema,
  analyzeFilterbankRequestSchema,
} from '../../experiments/analysis/analyze-filterbank-schema.js';
import { analyzeSignalRequestSchema } from '../../experiments/analysis/analyze-signal-schema.js';
import { designRequestSchema } from '../../experiments/analysis/design-schema.js';
import { LIMITS } from '../../experiments/common/limits.js';

/** The request schemas themselves (never copies), registered once under component names. */
for (const [schema, id, description] of [
  [analyzeSignalRequestSchema, 'AnalyzeSignalRequest', 'Body of POST /v1/analyze/signal'],
  [analyzeFilterbankRequestSchema, 'AnalyzeFilterbankRequest', 'JSON body of POST /v1/analyze/filterbank'],
  [designRequestSchema, 'DesignRequest', 'Body of POST /v1/design'],
] as const) {
  if (!z.globalRegistry.has(schema)) z.globalRegistry.add(schema, { id, description });
}
export {
  analyzeFilterbankQuerySchema,
  analyzeFilterbankRequestSchema,
  analyzeSignalRequestSchema,
  designRequestSchema,
};

/** `POST /v1/signals` as JSON (docs/api.md "Signals"). zod's numbers are finite: NaN/Inf never pass. */
export const signalUploadSchema = z
  .strictObject({
    samples: z.array(z.number()).min(1).max(LIMITS.maxSignalLength).describe('The samples, mono'),
    sampleRate: z.number().positive().optional().describe('Hz'),
    name: z.string().min(1).max(100).optional(),
  })
  .meta({ id: 'SignalUpload', description: 'JSON body of POST /v1/signals' });

export const signalUploadQuerySchema = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('A name for a WAV upload (the JSON form has its own field)'),
});

/** A stored signal, without its samples. */
export const signalResourceSchema = z
  .object({
    id: z.uuid(),
    name: z.string().nullable(),
    length: z.int().min(1).describe('N, in samples (frames, after the mix-down to mono)'),
    sampleRate: z.number().nullable().describe('Hz; null when the JSON upload gave none'),
    energy: z.number().describe('Σx² of the stored samples, as uploaded (not normalised)'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Signal' });

export const signalIdParamsSchema = z.object({
  id: z.uuid().describe('Signal id; an unknown or malformed id gives 404'),
});

const theoryDoc =
  '`theory`: `{ mean, variance, deviation: { cantelli, chebyshev, chernoff, exactUpper, exactLower } }`, as in the energy result';

export const analyzeSignalResultSchema = z
  .looseObject({
    cells: z
      .array(z.record(z.string(), z.unknown()))
      .describe(
        `One per (J, T), J outer: \`{ signal, numFilters, filterLength, signalLength, theory }\`; ${theoryDoc}`,
      ),
    autocorrelation: z
      .record(z.string(), z.unknown())
      .describe(
        '`{ lags, values: R(τ)/R(0), perFilterLength: [{ filterLength, frobeniusNorm, lambdaMax }] }`',
      ),
  })
  .meta({ id: 'AnalyzeSignalResult' });

export const analyzeFilterbankResultSchema = z
  .looseObject({
    numFilters: z.int(),
    filterLength: z.int(),
    stride: z.int(),
    signalLength: z.int(),
    A: z
      .number()
      .describe(
        'Optimal lower frame bound of these taps, not normalised (an experiment’s A is divided by J·T·σ²/d; here there is no σ²)',
      ),
    B: z.number().describe('Optimal upper frame bound of these taps, not normalised'),
    kappa: z.number().nullable().describe('B/A; null when A = 0, with the reason in `notes`'),
    predicted: z
      .object({
        kappa: z.number().nullable().describe('E[κ] of random Gaussian filterbanks of the same J, T, N'),
        kappaMedian: z.number(),
        kappaQuantiles: z.record(z.string(), z.number()).describe('At 0.05, 0.5, 0.95'),
        kappaPercentile: z
          .number()
          .min(0)
          .max(100)
          .describe('P(κ_random ≤ κ) in percent: where this bank sits in the predicted law of κ'),
      })
      .nullable()
      .describe('docs/theory.md §11; null at stride > 1, with the reason in `notes`'),
    notes: z.array(z.string()).optional(),
    littlewoodPaley: z
      .object({
        frequencies: z.array(z.number()).describe('Cycles per sample'),
        values: z.array(z.number()),
      })
      .describe('At most 2048 points; the minimum and maximum survive the down-sampling'),
  })
  .meta({ id: 'AnalyzeFilterbankResult' });

export const designResultSchema = z
  .array(
    z.object({
      filterLength: z.int(),
      minNumFilters: z
        .int()
        .nullable()
        .describe(
          'J_min by search on the predictor (docs/theory.md §11); null beyond 2^20, with the reason in `notes`',
        ),
      predicted: z
        .object({ kappa: z.number().nullable(), kappaMedian: z.number() })
        .nullable()
        .describe('The predicted mean and median κ at J_min'),
      asymptotic: z
        .object({
          minNumFilters: z.int().nullable().describe('null when beyond 2^53, with the reason in `notes`'),
          c: z.number(),
        })
        .describe('The paper’s rule ⌈c²·log T·((κ*+1)/(κ*−1))²⌉ (docs/theory.md §7), for comparison'),
      notes: z.array(z.string()).optional(),
    }),
  )
  .meta({ id: 'DesignResult' });
