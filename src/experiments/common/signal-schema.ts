import { z } from 'zod';
import { LIMITS } from './limits.js';

const length = z.int().min(1).max(LIMITS.maxSignalLength).describe('N, in samples');
const common = {
  name: z.string().min(1).max(100).optional(),
  normalize: z.boolean().default(true).describe('Scale to unit energy'),
};
const signalSeed = z
  .int()
  .min(0)
  .max(2 ** 32 - 1)
  .optional();

/** One signal of an energy request (docs/api.md "Each signal is one of the following"). */
export const signalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('impulse'), length, position: z.int().min(0).optional(), ...common }),
  z.strictObject({
    kind: z.literal('sine'),
    length,
    frequency: z.number().min(0).max(0.5).describe('Cycles per sample'),
    phase: z.number().default(0).describe('Radians'),
    ...common,
  }),
  z.strictObject({ kind: z.literal('white-noise'), length, seed: signalSeed, ...common }),
  z.strictObject({
    kind: z.literal('brownian'),
    length,
    stepProbability: z.number().gt(0).max(0.5).default(0.15),
    seed: signalSeed,
    ...common,
  }),
  z.strictObject({
    kind: z.literal('samples'),
    samples: z.array(z.number()).min(1).max(LIMITS.maxSignalLength),
    sampleRate: z.number().positive().optional().describe('Hz'),
    ...common,
  }),
  z.strictObject({ kind: z.literal('stored'), id: z.string().min(1).max(200), ...common }),
]);
export type SignalSpec = z.output<typeof signalSchema>;

/** The length N of a signal spec, when the spec itself says it. */
export function declaredSignalLength(signal: SignalSpec): number | undefined {
  switch (signal.kind) {
    case 'samples':
      return signal.samples.length;
    case 'stored':
      return undefined;
    default:
      return signal.length;
  }
}
