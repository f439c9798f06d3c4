import { Piscina } from 'piscina';
import type { AnalysisMessage, AnalysisReply } from './analysis-thread.js';

/** The thread entry, as .ts under tsx (tests) and as .js once compiled. */
const threadFile = new URL(
  `./analysis-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
).href;

/** Analyses waiting for a thread, per thread, beyond which the pool refuses more (the API: 503). */
export const ANALYSIS_QUEUE_PER_THREAD = 16;

/**
 * The API process's pool for synchronous analyses: `threads` worker threads, so a long
 * analysis never stalls other requests. Idle threads stay up (they are few) to keep their JIT.
 */
export function createAnalysisPool(threads: number): Piscina {
  return new Piscina({
    filename: threadFile,
    minThreads: threads,
    maxThreads: threads,
    maxQueue: threads * ANALYSIS_QUEUE_PER_THREAD,
    idleTimeout: 60_000,
    // Analyses start in arrival order (piscina's default can push one back behind later ones).
    stricterFIFO: true,
  });
}

/** True for piscina's refusal when its queue is full. */
export function isAnalysisQueueFull(error: unknown): boolean {
  return error instanceof Error && /queue is at limit/i.test(error.message);
}

/** Runs one analysis on the pool; `transfer` moves big buffers instead of copying them. */
export async function runAnalysis(
  pool: Piscina,
  message: AnalysisMessage,
  transfer: ArrayBuffer[] = [],
): Promise<AnalysisReply> {
  return (await pool.run(message, { transferList: transfer })) as AnalysisReply;
}
