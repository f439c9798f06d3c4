// Piscina worker: runs one experiment task in a worker thread. Plans are cached per request
// so a thread that runs many chunks of one experiment prepares its signals once.
import type { MessagePort } from 'node:worker_threads';
import type { KernelPreference } from '../core/wasm/kernel-choice.js';
import type { ExperimentTask } from '../experiments/common/experiment-definition.js';
import type { StoredSignal } from '../experiments/common/prepare-signal.js';
import { planExperiment, type SeededExperimentRequest } from '../experiments/experiment-request.js';

export interface TaskMessage {
  requestKey: string;
  request: SeededExperimentRequest;
  stored?: [string, StoredSignal][];
  task: ExperimentTask;
  /** The per-trial kernels (docs/theory.md §12); one experiment's tasks all name the same. */
  kernel: KernelPreference;
  /** Receives trial-count deltas while the task runs (the service publishes them as progress). */
  progressPort?: MessagePort;
}

const plans = new Map<string, ReturnType<typeof planExperiment>>();

export default function runTaskInThread(message: TaskMessage) {
  const key = `${message.kernel}:${message.requestKey}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = planExperiment(message.request, new Map(message.stored ?? []), { kernel: message.kernel });
    plans.clear();
    plans.set(key, plan);
  }
  const port = message.progressPort;
  try {
    return plan.runTask(message.task, port === undefined ? () => {} : (delta) => port.postMessage(delta));
  } finally {
    port?.close();
  }
}
