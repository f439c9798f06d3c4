// What the sweep benches share: the 16-cell sweep's request and a worker process to run it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor, type ServiceHarness } from '../../test/support/service-harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The 16-cell frame-bounds sweep of `npm run bench:sweep` and `bench:dashboards`. */
export function sweepRequest(trials: number) {
  return {
    type: 'frame-bounds',
    seed: 3,
    trials,
    filterbank: { numFilters: [10, 20, 40, 80], filterLengths: [64, 128, 256, 512] },
  };
}

/**
 * The sweep benches' warm-up: the same cells and kernels as {@link sweepRequest}, one 250-trial
 * task per cell, so that every worker process has compiled its hot paths before the timed sweep,
 * however the tasks fall between processes. Its custom variance gives it other theory than the
 * timed sweep's: a worker remembers recent cells' theory (frame-bounds/theory.ts), and a warm-up
 * of the same cells let one process skip all 16 theory tasks while two skipped about half each.
 */
export function warmUpRequest() {
  const request = sweepRequest(250);
  return { ...request, filterbank: { ...request.filterbank, init: { scheme: 'custom', variance: 2 } } };
}

/**
 * Starts `dist/workers/experiment-worker.js` on `redisUrl` with WORKER_CONCURRENCY=1 and resolves
 * once it logs that its workers are ready; every log line goes to `onLine` as it arrives.
 */
export function startSweepWorker(
  redisUrl: string,
  logLevel: 'info' | 'debug',
  onLine: (line: string) => void = () => {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/workers/experiment-worker.js'], {
    cwd: root,
    env: { ...process.env, REDIS_URL: redisUrl, WORKER_CONCURRENCY: '1', LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        onLine(line);
        if (line.includes('workers ready')) resolve(child);
      }
    });
  });
}

/** Resolves once experiment `id` has succeeded (polled every `intervalMs`, 50 by default). */
export async function succeeded(
  harness: ServiceHarness,
  id: string,
  timeoutMs: number,
  what: string,
  intervalMs?: number,
): Promise<void> {
  await waitFor(
    () => harness.store.get(id),
    (r) => r?.status === 'succeeded',
    timeoutMs,
    what,
    intervalMs,
  );
}
