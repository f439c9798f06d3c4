import type { FbstabClient } from '../client/fbstab-client.js';
import type { Experiment, ExperimentRequestInput } from '../client/client-types.js';
import { UsageError } from './parse-request.js';
import { createProgressBar } from './progress-bar.js';
import { remoteError } from './remote-client.js';

/**
 * `fbstab run … --server URL` (README "The CLI"): submits the request as it is (the server
 * validates it, as `run` does locally), draws the same progress bar from the server's events and
 * prints the result JSON exactly as a local run prints it. Ctrl-C cancels the experiment.
 */
export async function runOnServer(
  client: FbstabClient,
  text: string,
  source: string,
  compact: boolean,
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  let experiment: Experiment;
  try {
    experiment = await client.submit(body as ExperimentRequestInput);
  } catch (error) {
    throw remoteError(error, `request in ${source}`);
  }
  const { id } = experiment;
  process.stderr.write(`seed ${String(experiment.request.seed)}\n`);
  const bar = createProgressBar(experiment.type);
  const onInterrupt = () => {
    bar.stop();
    process.stderr.write(`cancelling experiment ${id}\n`);
    void client.cancel(id).finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  let done: Experiment;
  try {
    done = await client.wait(id, { onProgress: (p) => bar.update(p.completedTrials, p.totalTrials) });
  } catch (error) {
    throw remoteError(error, `experiment ${id}`);
  } finally {
    bar.stop();
    process.off('SIGINT', onInterrupt);
  }
  if (done.status !== 'succeeded') {
    const why = done.error === undefined ? '' : `: ${done.error.detail}`;
    throw new Error(`experiment ${id} ${done.status} on ${client.baseUrl}${why}`);
  }
  process.stdout.write(`${JSON.stringify(done.result, null, compact ? undefined : 2)}\n`);
}
