import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { stringify } from 'yaml';
import { BINARY_BODIES } from '../schemas/binary-bodies.js';

const DESCRIPTION = [
  'How stable is a random convolutional filterbank? Queued Monte-Carlo experiments (energy and frame bounds)',
  'and their theory, after Haider et al. (2024).\n\nEvery 4xx and 5xx response is `application/problem+json`',
  '(RFC 9457). When the server has API_KEYS set, every `/v1` route needs `Authorization: Bearer <key>` and each',
  'key sees only its own experiments and signals. `/v1` is rate limited per key (or per address when keys are off).',
].join(' ');

/** The document as YAML: no anchors or aliases for repeated parts, and stable line breaks. */
export function openApiToYaml(document: unknown): string {
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/**
 * Adds the binary media types of BINARY_BODIES to the request body of their routes, beside the
 * JSON schema the zod transform made.
 */
function withBinaryBodies(
  out: ReturnType<typeof jsonSchemaTransform>,
): ReturnType<typeof jsonSchemaTransform> {
  const binary = (BINARY_BODIES as Record<string, { types: readonly string[]; description: string }>)[
    out.url
  ];
  const schema = out.schema as Record<string, unknown> | undefined;
  if (binary === undefined || schema?.body === undefined) return out;
  const content: Record<string, { schema: unknown }> = { 'application/json': { schema: schema.body } };
  for (const type of binary.types) {
    content[type] = { schema: { type: 'string', format: 'binary', description: binary.description } };
  }
  return { ...out, schema: { ...schema, body: { content } } } as ReturnType<typeof jsonSchemaTransform>;
}

/**
 * The OpenAPI document, generated from the routes' zod schemas (@fastify/swagger with the
 * zod transform), served at /openapi.yaml, with swagger-ui at /docs. Register before the routes.
 */
export const docsPlugin = fp(
  async (app: FastifyInstance, options: { guard: onRequestHookHandler | undefined; version: string }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'fbstab', version: options.version, description: DESCRIPTION },
        tags: [
          { name: 'experiments', description: 'Long-running, queued Monte-Carlo experiments' },
          {
            name: 'signals',
            description: 'Signals uploaded once (WAV or JSON), used by many experiments and analyses',
          },
          { name: 'analysis', description: 'Synchronous theory and design, no Monte Carlo' },
          { name: 'operations', description: 'Probes, metrics and this document' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description: 'One of the API_KEYS; needed only when the server has keys configured',
            },
          },
        },
      },
      transform: (document) => withBinaryBodies(jsonSchemaTransform(document)),
      transformObject: jsonSchemaTransformObject,
    });
    const guard = options.guard;
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      ...(guard === undefined ? {} : { uiHooks: { onRequest: guard } }),
    });
    app.get(
      '/openapi.yaml',
      {
        schema: { summary: 'This OpenAPI document', tags: ['operations'] },
        ...(guard === undefined ? {} : { onRequest: guard }),
      },
      async (_request, reply) =>
        reply.type('application/yaml; charset=utf-8').send(openApiToYaml(app.swagger())),
    );
  },
  { name: 'docs' },
);
