import { circularAutocorrelation } from '../../core/fft/circular-autocorrelation.js';
import { createStream } from '../../core/random/stream-seed.js';
import { brownianWalkSignal } from '../../core/signals/brownian-walk-signal.js';
import { impulseSignal } from '../../core/signals/impulse-signal.js';
import { normalizeEnergy } from '../../core/signals/normalize-energy.js';
import { signalEnergy } from '../../core/signals/signal-energy.js';
import { sineSignal } from '../../core/signals/sine-signal.js';
import { whiteNoiseSignal } from '../../core/signals/white-noise-signal.js';
import { STREAM_PURPOSE } from './random-keys.js';
import type { SignalSpec } from './signal-schema.js';

/** A stored signal, as the service resolves `{ "kind": "stored" }` before running. */
export interface StoredSignal {
  name?: string | undefined;
  samples: Float64Array;
  sampleRate?: number | undefined;
}

/** A signal ready for simulation and theory. */
export interface PreparedSignal {
  name: string;
  samples: Float64Array;
  /** ‖x‖² after optional normalisation. */
  energy: number;
  /** Circular autocorrelation R_x(τ), τ = 0..N−1 (docs/theory.md §2). */
  autocorrelation: Float64Array;
  sampleRate?: number;
}

/** Raised for a request that is valid in shape but cannot be run as given. */
export class RequestInputError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'RequestInputError';
  }
}

/**
 * Builds the samples of one signal spec. Random signals without their own seed draw from
 * the request seed and the signal's position, so the request seed fixes everything.
 */
export function prepareSignal(
  spec: SignalSpec,
  index: number,
  requestSeed: number,
  stored: ReadonlyMap<string, StoredSignal> = new Map(),
  name?: string,
): PreparedSignal {
  const path = ['signals', index];
  let samples: Float64Array;
  let sampleRate: number | undefined;
  let storedName: string | undefined;
  const streamFor = (seed: number | undefined) =>
    seed === undefined
      ? createStream(requestSeed, STREAM_PURPOSE.defaultSignal, index)
      : createStream(seed, STREAM_PURPOSE.signal);
  switch (spec.kind) {
    case 'impulse':
      samples = impulseSignal(spec.length, spec.position);
      break;
    case 'sine':
      samples = sineSignal(spec.length, spec.frequency, spec.phase);
      break;
    case 'white-noise':
      samples = whiteNoiseSignal(spec.length, streamFor(spec.seed));
      break;
    case 'brownian':
      samples = brownianWalkSignal(spec.length, streamFor(spec.seed), spec.stepProbability);
      break;
    case 'samples':
      samples = Float64Array.from(spec.samples);
      sampleRate = spec.sampleRate;
      break;
    case 'stored': {
      const found = stored.get(spec.id);
      if (found === undefined)
        throw new RequestInputError([...path, 'id'], `no stored signal with id "${spec.id}"`);
      samples = found.samples;
      sampleRate = found.sampleRate;
      storedName = found.name;
      break;
    }
  }
  const rawEnergy = signalEnergy(samples);
  if (!(rawEnergy > 0))
    throw new RequestInputError(path, 'the signal has zero energy, so its energy ratio is undefined');
  if (!Number.isFinite(rawEnergy)) throw new RequestInputError(path, 'the signal energy overflows');
  if (spec.normalize) samples = normalizeEnergy(samples);
  const prepared: PreparedSignal = {
    name: name ?? spec.name ?? storedName ?? `${spec.kind}-${index}`,
    samples,
    energy: spec.normalize ? 1 : rawEnergy,
    autocorrelation: circularAutocorrelation(samples),
  };
  if (sampleRate !== undefined) prepared.sampleRate = sampleRate;
  return prepared;
}
