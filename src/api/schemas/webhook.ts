import { z } from 'zod';
import {
  WEBHOOK_EVENTS,
  webhookEventsSchema,
  webhookUrlSchema,
} from '../../experiments/common/notify-schema.js';

/** Body of POST /v1/webhooks (docs/api.md "Webhooks"). */
export const webhookCreateSchema = z
  .strictObject({ url: webhookUrlSchema, events: webhookEventsSchema })
  .meta({ id: 'WebhookCreate' });

/** A standing webhook as GET serves it: never its secret. */
export const webhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    createdAt: z.iso.datetime(),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'Webhook' });

/** What POST /v1/webhooks answers: the webhook and its secret, shown this once. */
export const webhookCreatedSchema = webhookSchema
  .extend({
    secret: z
      .string()
      .describe('`whsec_` and base64 of 32 bytes (Standard Webhooks). Shown only here: store it'),
  })
  .meta({ id: 'WebhookCreated' });

export const webhookListSchema = z.object({ items: z.array(webhookSchema) }).meta({ id: 'WebhookList' });

export const webhookIdParamsSchema = z.object({
  id: z.uuid().describe('Webhook id; an unknown or malformed id gives 404'),
});

/** One delivery attempt (docs/api.md "Webhooks"). */
export const deliveryAttemptSchema = z
  .object({
    deliveryId: z.string().describe('The `webhook-id` header: the same on every attempt of one message'),
    event: z.enum(WEBHOOK_EVENTS),
    target: z.string().describe('`notify`, or the id of the standing webhook'),
    url: z.string(),
    attempt: z.int().min(1),
    status: z
      .enum(['delivered', 'retrying', 'failed'])
      .describe(
        'delivered: 2xx; retrying: will be tried again at nextAttemptAt; failed: given up or refused',
      ),
    httpStatus: z.int().nullable().describe("The receiver's status; null when there was no response"),
    latencyMs: z.number().min(0),
    error: z.string().nullable(),
    startedAt: z.iso.datetime(),
    nextAttemptAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'DeliveryAttempt' });

export const deliveryListSchema = z
  .object({ items: z.array(deliveryAttemptSchema).describe('Oldest first; the latest 200 attempts') })
  .meta({ id: 'DeliveryList' });
