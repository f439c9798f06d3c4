// Piscina worker: runs one experiment task in a worker thread. Plans are cached per request
// so a thread that runs many chunks of one experiment prepares its signals once.
import type { ExperimentTask } from '../experiments/common/experiment-definition.js';
import type { StoredSignal } from '../experiments/common/prepare-signal.js';
import { planExperiment, type SeededExperimentRequest } from '../experiments/experiment-request.js';

export interface TaskMessage {
  requestKey: string;
  request: SeededExperimentRequest;
  stored?: [string, StoredSignal][];
  task: ExperimentTask;
}

const plans = new Map<string, ReturnType<typeof planExperiment>>();

export default function runTaskInThread(message: TaskMessage) {
  let plan = plans.get(message.requestKey);
  if (plan === undefined) {
    plan = planExperiment(message.request, new Map(message.stored ?? []));
    plans.clear();
    plans.set(message.requestKey, plan);
  }
  return plan.runTask(message.task, () => {});
}
