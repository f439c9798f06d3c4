/** Reports trials finished since the last call (a delta, so parallel parts can add them up). */
export type TrialProgress = (completedTrialsDelta: number) => void;

/** A slice of work that any thread or worker process can run on its own. */
export type ExperimentTask =
  { kind: 'simulate'; cell: number; trialStart: number; trialEnd: number } | { kind: 'theory'; key: number };

/** What a simulate task returns: per-trial values of one draw cell, trial-major. */
export interface SimulationOutput {
  kind: 'simulate';
  cell: number;
  trialStart: number;
  trialEnd: number;
  values: Float64Array;
}

export interface TheoryOutput<T> {
  kind: 'theory';
  key: number;
  value: T;
}

/**
 * One experiment type, defined once (docs/architecture.md): the CLI, the threads, the API and
 * the workers all plan, run tasks and assemble through this interface. Tasks are pure
 * functions of (request, task): every trial draws from its own stream keyed by
 * (seed, J, T, trial), and assembly reads values in trial order, so the result does not
 * depend on how tasks are split or where they run.
 */
export interface ExperimentPlan<TheoryValue, Result> {
  /** Trials over all draw cells, for progress. */
  readonly totalTrials: number;
  /** The tasks covering the whole experiment, trials cut into chunks of at most `chunkTrials`. */
  tasks(chunkTrials: number): ExperimentTask[];
  runTask(
    task: ExperimentTask,
    onProgress: TrialProgress,
    signal?: AbortSignal,
  ): SimulationOutput | TheoryOutput<TheoryValue>;
  assemble(outputs: readonly (SimulationOutput | TheoryOutput<TheoryValue>)[]): Result;
}

/** Default chunk: enough trials to amortise task overhead, few enough for smooth progress. */
export const DEFAULT_CHUNK_TRIALS = 250;

/**
 * Runs a plan on the calling thread. This is the reference execution every parallel
 * executor must reproduce exactly.
 */
export function runPlanSequentially<TheoryValue, Result>(
  plan: ExperimentPlan<TheoryValue, Result>,
  onProgress: (completedTrials: number, totalTrials: number) => void = () => {},
  signal?: AbortSignal,
): Result {
  let completed = 0;
  const outputs = plan.tasks(DEFAULT_CHUNK_TRIALS).map((task) =>
    plan.runTask(
      task,
      (delta) => {
        completed += delta;
        onProgress(completed, plan.totalTrials);
      },
      signal,
    ),
  );
  return plan.assemble(outputs);
}

/** Splits trials [0, trials) into chunks of at most `chunkTrials`. */
export function trialChunks(trials: number, chunkTrials: number): [number, number][] {
  if (!(Number.isInteger(chunkTrials) && chunkTrials >= 1)) {
    throw new RangeError(`chunkTrials must be a positive integer, got ${chunkTrials}`);
  }
  const chunks: [number, number][] = [];
  for (let start = 0; start < trials; start += chunkTrials)
    chunks.push([start, Math.min(trials, start + chunkTrials)]);
  return chunks;
}

/** Collects simulate outputs of one cell into one trial-ordered array of `width` values per trial. */
export function gatherCellValues(
  outputs: readonly (SimulationOutput | TheoryOutput<unknown>)[],
  cell: number,
  trials: number,
  width: number,
): Float64Array {
  const values = new Float64Array(trials * width);
  let covered = 0;
  for (const out of outputs) {
    if (out.kind !== 'simulate' || out.cell !== cell) continue;
    values.set(out.values, out.trialStart * width);
    covered += out.trialEnd - out.trialStart;
  }
  if (covered !== trials) throw new Error(`cell ${cell}: outputs cover ${covered} of ${trials} trials`);
  return values;
}

/**
 * The theory outputs by task key, as a lookup that throws when a key has none (a plan that
 * assembles without one of its own theory tasks is a bug, never a partial result).
 */
export function theoryLookup<T>(
  outputs: readonly (SimulationOutput | TheoryOutput<T>)[],
): (key: number) => T {
  const byKey = new Map<number, T>();
  for (const out of outputs) if (out.kind === 'theory') byKey.set(out.key, out.value);
  return (key) => {
    if (!byKey.has(key)) throw new Error(`missing theory output for key ${key}`);
    return byKey.get(key)!;
  };
}

/** Progress reporter that batches per-trial calls: reports every `every` trials and at the end. */
export function batchedProgress(onProgress: TrialProgress, every: number): { tick(): void; flush(): void } {
  let pending = 0;
  return {
    tick() {
      if (++pending >= every) {
        onProgress(pending);
        pending = 0;
      }
    },
    flush() {
      if (pending > 0) onProgress(pending);
      pending = 0;
    },
  };
}
