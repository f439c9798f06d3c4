import { z } from 'zod';
import { filterbankFields } from '../common/filterbank-schema.js';
import { declaredSignalLength, signalSchema } from '../common/signal-schema.js';

/**
 * Body of `POST /v1/analyze/signal` (docs/api.md "Analysis and design"): the energy theory of one
 * signal (docs/theory.md §2–§5) for every (J, T), with no Monte Carlo. Fields as in an energy
 * experiment; every T must be ≤ the signal length N (checked here when the spec states N,
 * and by `analyzeSignal` for a stored signal).
 */
export const analyzeSignalRequestSchema = z
  .strictObject({
    signal: signalSchema,
    numFilters: filterbankFields.numFilters,
    filterLengths: filterbankFields.filterLengths,
    tailProbability: z.number().gt(0).lt(1).default(0.05).describe('p of docs/theory.md §5'),
    init: filterbankFields.init,
  })
  .superRefine((request, ctx) => {
    const { signal } = request;
    if (signal.kind === 'impulse' && signal.position !== undefined && signal.position >= signal.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['signal', 'position'],
        message: `position ${signal.position} must be < length ${signal.length}`,
      });
    }
    const N = declaredSignalLength(signal);
    if (N === undefined) return;
    request.filterLengths.forEach((T, t) => {
      if (T > N) {
        ctx.addIssue({
          code: 'custom',
          path: ['filterLengths', t],
          message: `filter length ${T} exceeds the signal length ${N}`,
        });
      }
    });
  });

export type AnalyzeSignalRequestInput = z.input<typeof analyzeSignalRequestSchema>;
export type AnalyzeSignalRequest = z.output<typeof analyzeSignalRequestSchema>;
