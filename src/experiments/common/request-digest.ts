import type { SeededExperimentRequest } from '../experiment-request.js';
import { numFiltersList } from './filterbank-schema.js';
import { signalNames } from './signal-names.js';

/** A digest names at most this many signals, each cut to this many characters: < 2 KB per item. */
const MAX_SIGNAL_NAMES = 8;
const MAX_NAME_CHARS = 40;

/**
 * The `summary` of an experiment's summary view (docs/api.md "Views"): the J and T values, the
 * trials and the signals' names, never their samples, so it stays small whatever the request
 * holds. Fixed key order: the same request always gives the same bytes.
 */
export function requestDigest(request: SeededExperimentRequest): Record<string, unknown> {
  const digest: Record<string, unknown> = {
    type: request.type,
    numFilters: numFiltersList(request.filterbank.numFilters),
    filterLengths: request.filterbank.filterLengths,
    trials: request.trials,
  };
  if (request.type === 'energy') {
    const names = signalNames(request.signals);
    digest.signals = names
      .slice(0, MAX_SIGNAL_NAMES)
      .map((name) => (name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS - 1)}…` : name));
    digest.signalCount = names.length;
  } else {
    digest.signalLength = request.signalLength;
    digest.stride = request.filterbank.stride;
  }
  return digest;
}
