import { z } from 'zod';
import { filterbankFields, sharedRequestFields } from '../common/filterbank-schema.js';
import { LIMITS } from '../common/limits.js';

/** `type: "frame-bounds"` request (docs/api.md): frame bounds and κ of random filterbanks. */
export const frameBoundsRequestSchema = z
  .strictObject({
    type: z.literal('frame-bounds'),
    ...sharedRequestFields,
    filterbank: z.strictObject({
      ...filterbankFields,
      stride: z.int().min(1).max(LIMITS.maxStride).default(1).describe('d; must divide signalLength'),
    }),
    signalLength: z.int().min(1).max(LIMITS.maxSignalLength).default(1024).describe('N, the DFT grid'),
  })
  .superRefine((request, ctx) => {
    const N = request.signalLength;
    request.filterbank.filterLengths.forEach((T, t) => {
      if (T > N) {
        ctx.addIssue({
          code: 'custom',
          path: ['filterbank', 'filterLengths', t],
          message: `filter length ${T} exceeds signalLength ${N}`,
        });
      }
    });
    if (N % request.filterbank.stride !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['filterbank', 'stride'],
        message: `stride ${request.filterbank.stride} does not divide signalLength ${N}`,
      });
    }
  })
  .describe(
    'Frame bounds A, B and κ = B/A of random filterbanks on the N-point DFT grid. The result gives A and B ' +
      'normalised by the mean eigenvalue level J·T·σ²/d (docs/theory.md §6), so a filterbank that keeps the ' +
      'expected energy has A = B = 1 at any stride d.',
  );

export type FrameBoundsRequestInput = z.input<typeof frameBoundsRequestSchema>;
export type FrameBoundsRequest = z.output<typeof frameBoundsRequestSchema>;
