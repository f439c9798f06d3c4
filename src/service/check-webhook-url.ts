import type { Config } from '../config.js';
import type { Notify } from '../experiments/common/notify-schema.js';
import { TypedHttpProblem } from './problem.js';
import { WebhookTargetError, resolveWebhookTarget } from './webhook-target.js';

/** A 422 `webhook-refused` problem naming `path` (docs/api.md "Webhooks"). */
export function webhookRefused(path: string, message: string): TypedHttpProblem {
  return new TypedHttpProblem('webhook-refused', 422, 'Webhook refused', `${path}: ${message}`, {
    errors: [{ path, message }],
  });
}

/**
 * Refuses, at submission, a webhook URL a delivery could not or must not reach: checked again
 * at each delivery, after a fresh DNS resolution (src/worker/webhook-worker.ts).
 *
 * @throws TypedHttpProblem 422 `webhook-refused` naming `path`.
 */
export async function checkWebhookUrl(url: string, path: string, config: Config): Promise<void> {
  try {
    await resolveWebhookTarget(url, { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
  } catch (error) {
    if (error instanceof WebhookTargetError) throw webhookRefused(path, error.message);
    throw error;
  }
}

/**
 * The checks of a request's `notify`: the server must have WEBHOOK_SECRET to sign with, and the
 * URL must pass checkWebhookUrl. No Redis command: a POST without `notify` costs nothing more.
 */
export async function checkNotify(notify: Notify, config: Config): Promise<void> {
  if (config.WEBHOOK_SECRET === undefined)
    throw webhookRefused(
      'notify',
      'this server has no WEBHOOK_SECRET to sign per-request notifications with; register a standing webhook (POST /v1/webhooks) instead',
    );
  await checkWebhookUrl(notify.url, 'notify.url', config);
}
