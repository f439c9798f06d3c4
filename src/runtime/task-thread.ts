// Piscina worker: runs one experiment task in a worker thread. Plans are cached per request
// so a thread that runs many chunks of one experiment prepares its signals once.
import type { MessagePort } from 'node:worker_threads';
import type { ExperimentTask } from '../experiments/common/experiment-definition.js';
import type { StoredSignal } from '../experiments/common/prepare-signal.js';
import { planExperiment, type SeededExperimentRequest } from '../experiments/experiment-request.js';

export interface TaskMessage {
  requestKey: string;
  request: SeededExperimentRequest;
  stored?: [string, StoredSignal][];
  task: ExperimentTask;
  /** Receives trial-count deltas while the task runs (the service publishes them as progress). */
  progressPort?: MessagePort;
}

const plans = new Map<string, ReturnType<typeof planExperiment>>();

export default function runTaskInThread(message: TaskMessage) {
  let plan = plans.get(message.requestKey);
  if (plan === undefined) {
    plan = planExperiment(message.request, new Map(message.stored ?? []));
    plans.clear();
    plans.set(message.requestKey, plan);
  }
  const port = message.progressPort;
  try {
    return plan.runTask(message.task, port === undefined ? () => {} : (delta) => port.postMessage(delta));
  } finally {
    port?.close();
  }
}
