import { z } from 'zod';
import { notifySchema } from './notify-schema.js';
import { INIT_SCHEMES } from '../../core/filterbank/tap-law.js';
import { LIMITS } from './limits.js';

/** `filterbank.init` (docs/api.md; schemes of docs/theory.md §8). */
export const initSchema = z
  .strictObject({
    scheme: z.enum(INIT_SCHEMES).describe('Initialisation scheme of docs/theory.md §8'),
    variance: z.number().positive().optional().describe('σ², only with scheme "custom"'),
  })
  .superRefine((init, ctx) => {
    if (init.scheme === 'custom' && init.variance === undefined) {
      ctx.addIssue({ code: 'custom', path: ['variance'], message: 'scheme "custom" needs a variance' });
    }
    if (init.scheme !== 'custom' && init.variance !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['variance'],
        message: `variance is only allowed with scheme "custom" (scheme "${init.scheme}" fixes it)`,
      });
    }
  });

const numFilters = z.int().min(1).max(LIMITS.maxNumFilters);

/** Fields of `filterbank` shared by every experiment type (docs/api.md). */
export const filterbankFields = {
  numFilters: z
    .union([numFilters, z.array(numFilters).min(1).max(LIMITS.maxCellsPerAxis)])
    .describe('J: one integer or a list of integers'),
  filterLengths: z
    .array(z.int().min(1).max(LIMITS.maxSignalLength))
    .min(1)
    .max(LIMITS.maxCellsPerAxis)
    .describe('The filter lengths T; each must be ≤ the signal length N'),
  init: initSchema.default({ scheme: 'paper' }),
};

/** J values as a list, whichever form the request used. */
export function numFiltersList(numFilters: number | number[]): number[] {
  return Array.isArray(numFilters) ? numFilters : [numFilters];
}

/** Shared top-level request fields (docs/api.md "Request body, shared fields"). */
export const sharedRequestFields = {
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional()
    .describe('Integer in [0, 2^32); drawn by the server when absent'),
  trials: z.int().min(1).max(LIMITS.maxTrials).default(1000),
  notify: notifySchema.optional(),
};
