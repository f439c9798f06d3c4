import { z } from 'zod';
import { nextPowerOfTwo } from '../../core/fft/next-power-of-two.js';
import { LIMITS } from '../common/limits.js';

const stride = z.int().min(1).max(LIMITS.maxStride).default(1).describe('d; must divide signalLength');
const signalLength = z
  .int()
  .min(1)
  .max(LIMITS.maxSignalLength)
  .optional()
  .describe('N, the DFT grid; default max(1024, nextPow2(T))');

/**
 * Body of `POST /v1/analyze/filterbank` as JSON (docs/api.md "Analysis and design"): the taps of a
 * given filterbank, J rows of T numbers. zod's numbers are finite, so NaN/Inf never pass.
 */
export const analyzeFilterbankRequestSchema = z
  .strictObject({
    weights: z
      .array(z.array(z.number()).min(1, 'a filter needs at least one tap').max(LIMITS.maxSignalLength))
      .min(1, 'at least one filter is needed')
      .max(LIMITS.maxNumFilters)
      .describe('J rows of T taps'),
    stride,
    signalLength,
  })
  .superRefine((request, ctx) => {
    const T = request.weights[0]?.length ?? 0;
    request.weights.forEach((row, j) => {
      if (row.length !== T) {
        ctx.addIssue({
          code: 'custom',
          path: ['weights', j],
          message: `filter ${j} has ${row.length} taps, filter 0 has ${T}: all rows must have the same length`,
        });
      }
    });
    if (T === 0) return;
    for (const issue of filterbankGridIssues(T, request.stride, request.signalLength)) ctx.addIssue(issue);
  });

/**
 * `stride` and `signalLength` of the `.npy` form of the endpoint, from the query string
 * (strings, hence the coercion).
 */
export const analyzeFilterbankQuerySchema = z.strictObject({
  stride: z.coerce.number<unknown>().int().min(1).max(LIMITS.maxStride).default(1),
  signalLength: z.coerce.number<unknown>().int().min(1).max(LIMITS.maxSignalLength).optional(),
});

/**
 * The query of the file form of `POST /v1/analyze/filterbank`: `stride` and `signalLength`, and
 * which array of a `.npz` or tensor of a `.safetensors` to analyse (docs/api.md "Analysis and design").
 */
export const analyzeFilterbankFileQuerySchema = analyzeFilterbankQuerySchema.extend({
  array: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      '.npz only: the array to analyse, as np.load names it (`arr_0`, or the keyword of np.savez); needed when it holds several',
    ),
  tensor: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe('.safetensors only: the tensor to analyse (e.g. `weight`); needed when it holds several'),
});

export type AnalyzeFilterbankRequestInput = z.input<typeof analyzeFilterbankRequestSchema>;
export type AnalyzeFilterbankRequest = z.output<typeof analyzeFilterbankRequestSchema>;
export type AnalyzeFilterbankQuery = z.output<typeof analyzeFilterbankQuerySchema>;

/** The default grid: max(1024, nextPow2(T)), a power of two (fast FFTs) that holds the filter. */
export function defaultSignalLength(filterLength: number): number {
  return Math.max(1024, nextPowerOfTwo(filterLength));
}

/** Problems of a (T, d, N) combination, as zod issues: T ≤ N and d | N. */
export function filterbankGridIssues(
  filterLength: number,
  stride: number,
  signalLength: number | undefined,
): { code: 'custom'; path: string[]; message: string }[] {
  const issues: { code: 'custom'; path: string[]; message: string }[] = [];
  const N = signalLength ?? defaultSignalLength(filterLength);
  if (filterLength > N) {
    issues.push({
      code: 'custom',
      path: ['signalLength'],
      message: `signalLength ${N} is shorter than the filter length ${filterLength}`,
    });
  }
  if (N % stride !== 0) {
    issues.push({
      code: 'custom',
      path: ['stride'],
      message: `stride ${stride} does not divide signalLength ${N}${signalLength === undefined ? ' (the default)' : ''}`,
    });
  }
  return issues;
}
