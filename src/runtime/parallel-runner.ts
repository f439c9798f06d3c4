import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { kernelPreferenceFromEnvironment } from '../config.js';
import type { KernelPreference } from '../core/wasm/kernel-choice.js';
import {
  DEFAULT_CHUNK_TRIALS,
  runPlanSequentially,
  type ExperimentTask,
  type SimulationOutput,
  type TheoryOutput,
} from '../experiments/common/experiment-definition.js';
import type { StoredSignal } from '../experiments/common/prepare-signal.js';
import {
  planExperiment,
  type ExperimentResult,
  type SeededExperimentRequest,
} from '../experiments/experiment-request.js';
import type { TaskMessage } from './task-thread.js';

export interface ParallelRunOptions {
  /** Worker threads; default: every core. 1 runs on the calling thread. */
  threads?: number;
  /** A pool to reuse (from createTaskPool); `threads` is then ignored. */
  pool?: Piscina;
  /** Trials per task; the result does not depend on it. */
  chunkTrials?: number;
  onProgress?: (completedTrials: number, totalTrials: number) => void;
  signal?: AbortSignal;
  stored?: ReadonlyMap<string, StoredSignal>;
  /** The per-trial kernels (docs/theory.md §12); default: FBSTAB_KERNEL, else `auto`. */
  kernel?: KernelPreference;
}

type TaskOutput = SimulationOutput | TheoryOutput<unknown>;

/** The thread entry, as .ts under tsx (tests, bench) and as .js once compiled. */
const threadFile = new URL(`./task-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)
  .href;

/**
 * Runs an experiment over worker threads. Tasks are the plan's own (slices of trials, and
 * theory tasks, that share no state), so the result is identical to the sequential run for any
 * thread count or chunk size; only the order in which outputs arrive differs, and assembly sorts
 * that out by trial index.
 */
export async function runExperimentInParallel(
  request: SeededExperimentRequest,
  options: ParallelRunOptions = {},
): Promise<ExperimentResult> {
  const threads = options.threads ?? availableParallelism();
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const kernel = options.kernel ?? kernelPreferenceFromEnvironment();
  const plan = planExperiment(request, options.stored, { kernel });
  if (options.pool !== undefined) return runTasksOnPool(options.pool, request, plan, { ...options, kernel });
  if (threads === 1) return runPlanSequentially(plan, options.onProgress, options.signal);
  const pool = createTaskPool(threads);
  try {
    return await runTasksOnPool(pool, request, plan, { ...options, kernel });
  } finally {
    await pool.destroy();
  }
}

/**
 * A pool of `threads` worker threads that run experiment tasks, in the order they are submitted.
 * Plans list their costliest tasks first so the threads finish together; piscina's default
 * re-queues a task it shifted but could not place at the tail, which scrambled that order and
 * left one thread on a long task at the end (in timelines of both presets the two threads' busy
 * times were up to 20 % apart). `stricterFIFO` keeps the order. `filename` is the thread entry
 * (tests swap in their own).
 */
export function createTaskPool(threads: number, filename: string = threadFile): Piscina {
  return new Piscina({
    filename,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    stricterFIFO: true,
  });
}

/**
 * Runs a plan's tasks on an existing pool (the worker process keeps one alive). `options.kernel`
 * must be the one the plan was made with (default: FBSTAB_KERNEL, else `auto`).
 */
export async function runTasksOnPool(
  pool: Piscina,
  request: SeededExperimentRequest,
  plan: ReturnType<typeof planExperiment>,
  options: Omit<ParallelRunOptions, 'threads'> = {},
  tasks: ExperimentTask[] = plan.tasks(options.chunkTrials ?? DEFAULT_CHUNK_TRIALS),
): Promise<ExperimentResult> {
  const requestKey = JSON.stringify(request);
  const kernel = options.kernel ?? kernelPreferenceFromEnvironment();
  const stored = options.stored === undefined ? undefined : [...options.stored.entries()];
  let completed = 0;
  const outputs = await Promise.all(
    tasks.map(async (task) => {
      const message: TaskMessage = {
        requestKey,
        request,
        task,
        kernel,
        ...(stored === undefined ? {} : { stored }),
      };
      const output = (await pool.run(
        message,
        options.signal === undefined ? {} : { signal: options.signal },
      )) as TaskOutput;
      if (output.kind === 'simulate') {
        completed += output.trialEnd - output.trialStart;
        options.onProgress?.(completed, plan.totalTrials);
      }
      return output;
    }),
  );
  return plan.assemble(outputs);
}
