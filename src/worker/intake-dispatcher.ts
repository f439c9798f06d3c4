import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ExperimentIntake } from '../store/experiment-intake.js';

/** A worker looks at the intake this often even when no submission was announced. */
const INTAKE_POLL_MS = 1_000;
/** Ids one claim leases: expanded together, concurrently. */
const CLAIM_BATCH = 16;

export interface IntakeDispatcher {
  close(): Promise<void>;
}

/**
 * Takes submissions from this engine's intake (docs/architecture.md "Submission") and expands
 * each into the flow of its tasks. A submission is announced on the intake's channel, so it is
 * claimed at once; a poll every second picks up what no announcement reached (a worker that
 * started later, a lease that ended with its worker). Claims are leased for `leaseMs`: an id
 * whose expansion fails, or whose worker dies, is claimed again once its lease ends, and
 * expansion is idempotent (the flow's job ids are fixed), so a submission runs at least once and
 * its tasks exactly once.
 */
export async function startIntakeDispatcher(options: {
  intake: ExperimentIntake;
  /** A connection in subscriber mode (the worker's, shared with its cancel channel). */
  subscriber: Redis;
  leaseMs: number;
  /** Expands one claimed id; the id leaves the intake when it resolves, stays leased when it throws. */
  expand: (experimentId: string) => Promise<void>;
  logger: Logger;
}): Promise<IntakeDispatcher> {
  const { intake, subscriber, leaseMs, expand, logger } = options;
  let draining: Promise<void> | undefined;
  let again = false;
  let closing = false;

  const drainOnce = async (): Promise<void> => {
    do {
      again = false;
      if (closing) return;
      const ids = await intake.claim(leaseMs, CLAIM_BATCH);
      const expanded = await Promise.all(
        ids.map((id) =>
          expand(id).then(
            () => true,
            (error: unknown) => {
              logger.warn({ err: error, experimentId: id }, 'expansion failed; retried when its lease ends');
              return false;
            },
          ),
        ),
      );
      await intake.remove(ids.filter((_, i) => expanded[i]));
      if (ids.length === CLAIM_BATCH) again = true;
    } while (again);
  };
  /** One drain at a time; an announcement during one makes it look again. */
  const drain = (): void => {
    if (draining !== undefined) {
      again = true;
      return;
    }
    draining = drainOnce()
      .catch((error: unknown) => logger.warn({ err: error }, 'intake drain failed'))
      .finally(() => {
        draining = undefined;
        // An announcement that came as the last claim ended: look once more.
        if (again && !closing) drain();
      });
  };

  subscriber.on('message', (channel: string) => {
    if (channel === intake.channel) drain();
  });
  await subscriber.subscribe(intake.channel);
  const poller = setInterval(drain, INTAKE_POLL_MS);
  poller.unref();
  drain();

  return {
    async close() {
      closing = true;
      clearInterval(poller);
      await subscriber.unsubscribe(intake.channel).catch(() => {});
      await draining;
    },
  };
}
