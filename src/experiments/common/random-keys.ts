/**
 * First key of every random stream, so streams of different purposes never coincide.
 * A stream is `createStream(seed, purpose, …)`; filters are keyed by (J, T, trial) and not by
 * the cell's position in the request, so adding a cell leaves the others' draws unchanged
 * and the same (seed, J, T) draws the same filters in every experiment type.
 */
export const STREAM_PURPOSE = {
  filters: 1,
  signal: 2,
  defaultSignal: 3,
} as const;
