import { z } from 'zod';

/** The webhook events an experiment can send (docs/api.md "Webhooks"). */
export const WEBHOOK_EVENTS = ['succeeded', 'failed', 'cancelled', 'progress'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** What `notify.events` and a standing webhook's `events` default to: the final events. */
export const DEFAULT_WEBHOOK_EVENTS: WebhookEvent[] = ['succeeded', 'failed', 'cancelled'];

/** A webhook URL as the schema sees it: http or https, no credentials, at most 2000 characters. */
export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, error: 'expected an http or https URL' })
  .max(2000)
  .refine((url) => !/^https?:\/\/[^/?#]*@/i.test(url), 'credentials in the URL are not accepted')
  .describe(
    'http or https; its host must resolve to public addresses (docs/api.md "Webhooks"); redirects are not followed',
  );

/** The events of a webhook: distinct, at least one, default the final three. */
export const webhookEventsSchema = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .max(WEBHOOK_EVENTS.length)
  .refine((events) => new Set(events).size === events.length, 'events must be distinct')
  .default(DEFAULT_WEBHOOK_EVENTS)
  .describe('Default: the final events. `progress` is sent at most once every few seconds');

/**
 * `notify` of an experiment request (docs/api.md "Webhooks"): where to POST its events, signed
 * with the server's WEBHOOK_SECRET. Local runs (`fbstab run`) accept and ignore it.
 */
export const notifySchema = z
  .strictObject({ url: webhookUrlSchema, events: webhookEventsSchema })
  .describe('Send this experiment\'s events to a URL (docs/api.md "Webhooks")');
export type Notify = z.output<typeof notifySchema>;
