import { z } from 'zod';
import { LIMITS } from '../common/limits.js';

/**
 * Body of `POST /v1/design` (docs/api.md "Analysis and design"): J_min(T, κ*) by search on the
 * predictor of docs/theory.md §11, beside the paper's asymptotic rule of §7.
 */
export const designRequestSchema = z
  .strictObject({
    filterLengths: z
      .array(z.int().min(1).max(LIMITS.maxSignalLength))
      .min(1)
      .max(1024)
      .describe('The filter lengths T'),
    targetKappa: z
      .number()
      .gt(1)
      .describe('κ* > 1, the largest acceptable condition number (its mean or median)'),
    target: z
      .enum(['mean', 'median'])
      .default('mean')
      .describe('Whether the predicted mean E[κ] or the median of κ must stay at most κ*'),
    signalLength: z
      .int()
      .min(1)
      .max(LIMITS.maxSignalLength)
      .default(1024)
      .describe('N, the DFT grid of the frame bounds; every T must be at most N'),
    c: z
      .number()
      .positive()
      .default(2)
      .describe('Constant of the asymptotic rule (the `asymptotic` answer); 2 is the paper’s value'),
  })
  .superRefine((request, ctx) => {
    // zod refines even after a field failed; a bad signalLength is reported on its own.
    if (!(Number.isInteger(request.signalLength) && request.signalLength >= 1)) return;
    request.filterLengths.forEach((T, t) => {
      if (T > request.signalLength) {
        ctx.addIssue({
          code: 'custom',
          path: ['filterLengths', t],
          message: `filter length ${T} exceeds signalLength ${request.signalLength}`,
        });
      }
    });
  });

export type DesignRequestInput = z.input<typeof designRequestSchema>;
export type DesignRequest = z.output<typeof designRequestSchema>;
