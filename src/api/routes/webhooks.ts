import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkWebhookUrl, webhookRefused } from '../../service/check-webhook-url.js';
import { generateWebhookSecret } from '../../service/webhook-signature.js';
import { MAX_WEBHOOKS_PER_OWNER, WebhookStore, type StandingWebhook } from '../../store/webhook-store.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../problem-handler.js';
import { experimentIdParamsSchema } from '../schemas/experiment.js';
import { problemResponses } from '../schemas/problem.js';
import {
  deliveryListSchema,
  webhookCreateSchema,
  webhookCreatedSchema,
  webhookIdParamsSchema,
  webhookListSchema,
  webhookSchema,
} from '../schemas/webhook.js';

const security = [{ bearerAuth: [] }];
const tags = ['webhooks'];

/** A webhook as served: without its secret. */
function served(webhook: StandingWebhook) {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    createdAt: webhook.createdAt,
    links: { self: `/v1/webhooks/${webhook.id}` },
  };
}

/** Standing webhooks and delivery attempts (docs/api.md "Webhooks"); `prefix: '/v1'`, behind auth. */
export const webhookRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (app, { context }) => {
  const webhooks = new WebhookStore(context.redis, context.config.RESULT_TTL_SECONDS);
  const load = async (id: string, owner: string) => {
    const webhook = await webhooks.getOwned(id, owner);
    if (webhook === undefined) throw notFound('webhook', id);
    return webhook;
  };

  app.post(
    '/webhooks',
    {
      schema: {
        operationId: 'createWebhook',
        summary: 'Register a standing webhook',
        description:
          "Every matching event of this API key's experiments is POSTed to `url`, signed with the secret this " +
          'answer carries once (Standard Webhooks). The URL must resolve to public addresses (422 otherwise).',
        tags,
        security,
        body: webhookCreateSchema,
        response: {
          201: webhookCreatedSchema.describe('The webhook, with its secret'),
          ...problemResponses(400, 401, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      await checkWebhookUrl(request.body.url, 'url', context.config);
      const webhook: StandingWebhook = {
        id: randomUUID(),
        owner: request.owner,
        url: request.body.url,
        events: request.body.events,
        secret: generateWebhookSecret(),
        createdAt: new Date().toISOString(),
      };
      if (!(await webhooks.create(webhook)))
        throw webhookRefused(
          'url',
          `this API key already has ${MAX_WEBHOOKS_PER_OWNER} webhooks; delete one first`,
        );
      request.logContext = { webhookId: webhook.id };
      const body = { ...served(webhook), secret: webhook.secret };
      return reply.code(201).header('location', body.links.self).send(body);
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        operationId: 'listWebhooks',
        summary: "List this key's webhooks",
        description: 'Oldest first, without their secrets.',
        tags,
        security,
        response: { 200: webhookListSchema.describe('The webhooks'), ...problemResponses(401, 429, 503) },
      },
    },
    async (request) => ({ items: (await webhooks.list(request.owner)).map(served) }),
  );

  app.get(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'getWebhook',
        summary: 'Get a webhook',
        description: 'The webhook of this API key, with its URL and events; never its secret.',
        tags,
        security,
        params: webhookIdParamsSchema,
        response: { 200: webhookSchema.describe('The webhook'), ...problemResponses(401, 404, 429, 503) },
      },
    },
    async (request) => served(await load(request.params.id, request.owner)),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook',
        description: 'No further event is sent to it; its deliveries still being retried stop.',
        tags,
        security,
        params: webhookIdParamsSchema,
        response: { 204: z.undefined().describe('Deleted'), ...problemResponses(401, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      await webhooks.delete(await load(request.params.id, request.owner));
      return reply.code(204).send();
    },
  );

  app.get(
    '/experiments/:id/deliveries',
    {
      schema: {
        operationId: 'listDeliveries',
        summary: "List an experiment's webhook delivery attempts",
        description:
          'Every attempt to deliver its events (to its `notify` URL and to standing webhooks), oldest first: ' +
          "status, attempt, the receiver's HTTP status, latency, error.",
        tags,
        security,
        params: experimentIdParamsSchema,
        response: {
          200: deliveryListSchema.describe('The attempts'),
          ...problemResponses(401, 404, 429, 503),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if ((await context.store.getOwned(id, request.owner)) === undefined) throw notFound('experiment', id);
      return { items: await webhooks.attempts(id) };
    },
  );
};
