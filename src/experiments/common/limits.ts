/**
 * Hard limits of the request schemas. They keep a single request from exhausting memory
 * before any cost check runs; the configurable cost limit (MAX_EXPERIMENT_COST) is
 * the service's finer guard.
 */
export const LIMITS = {
  /** 2^24 samples: over six minutes of audio at 44.1 kHz. */
  maxSignalLength: 2 ** 24,
  maxNumFilters: 4096,
  maxCellsPerAxis: 64,
  maxSignals: 32,
  maxTrials: 10_000_000,
  maxStride: 4096,
} as const;
