import { z } from 'zod';
import { filterbankFields, sharedRequestFields } from '../common/filterbank-schema.js';
import { LIMITS } from '../common/limits.js';
import { declaredSignalLength, signalSchema } from '../common/signal-schema.js';
import { signalNames } from '../common/signal-names.js';

/** `type: "energy"` request (docs/api.md): the energy response of signals to random filterbanks. */
export const energyRequestSchema = z
  .strictObject({
    type: z.literal('energy'),
    ...sharedRequestFields,
    filterbank: z.strictObject(filterbankFields),
    signals: z.array(signalSchema).min(1).max(LIMITS.maxSignals),
    tailProbability: z.number().gt(0).lt(1).default(0.05).describe('p of docs/theory.md §5'),
  })
  .superRefine((request, ctx) => {
    request.signals.forEach((signal, i) => {
      const N = declaredSignalLength(signal);
      if (signal.kind === 'impulse' && signal.position !== undefined && signal.position >= signal.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['signals', i, 'position'],
          message: `position ${signal.position} must be < length ${signal.length}`,
        });
      }
      if (N === undefined) return;
      request.filterbank.filterLengths.forEach((T, t) => {
        if (T > N) {
          ctx.addIssue({
            code: 'custom',
            path: ['filterbank', 'filterLengths', t],
            message: `filter length ${T} exceeds the length ${N} of signals[${i}]`,
          });
        }
      });
    });
    const names = signalNames(request.signals);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) {
        ctx.addIssue({
          code: 'custom',
          path: ['signals', i, 'name'],
          message: `signal name "${name}" is used twice`,
        });
      }
    });
  })
  .describe(
    'Statistics of the energy ratio ‖Φx‖²/‖x‖² of each signal under random filterbanks, per (J, T) cell, ' +
      'against its theory (docs/theory.md §2–§5).',
  );

export type EnergyRequestInput = z.input<typeof energyRequestSchema>;
export type EnergyRequest = z.output<typeof energyRequestSchema>;
