import { z } from 'zod';
import { LIMITS } from '../common/limits.js';

/** Body of `POST /v1/design` (docs/api.md "Analysis and design"; the rule of docs/theory.md §7). */
export const designRequestSchema = z.strictObject({
  filterLengths: z
    .array(z.int().min(1).max(LIMITS.maxSignalLength))
    .min(1)
    .max(1024)
    .describe('The filter lengths T'),
  targetKappa: z.number().gt(1).describe('κ* > 1, the largest acceptable expected condition number'),
  c: z
    .number()
    .positive()
    .default(2)
    .describe('Constant of the scaling law; 2 is the paper’s asymptotic value'),
});

export type DesignRequestInput = z.input<typeof designRequestSchema>;
export type DesignRequest = z.output<typeof designRequestSchema>;
