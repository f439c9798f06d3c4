import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { stringify } from 'yaml';
import { z } from 'zod';
import { problemResponses } from '../schemas/problem.js';
import { finishOpenApiDocument } from '../finish-openapi-document.js';
import { BINARY_BODIES } from '../schemas/binary-bodies.js';
import {
  ENERGY_REQUEST_EXAMPLE,
  experimentExamples,
  FRAME_BOUNDS_REQUEST_EXAMPLE,
} from '../schemas/examples.js';

const DESCRIPTION = [
  'How stable is a random convolutional filterbank? Queued Monte-Carlo experiments (energy and frame bounds)',
  'and their theory, after Haider et al. (2024). `docs/api.md` in the repository is the same contract in prose,',
  'with examples.\n\n**Keys.** When the server runs with API_KEYS set, every `/v1` operation needs',
  '`Authorization: Bearer <key>` and each key sees only its own experiments and signals. Without API_KEYS keys',
  'are optional: the service is open and a bearer header is ignored. `/v1` is rate limited per key (or per',
  'address when keys are off).\n\n**Errors.** Every 4xx and 5xx response is `application/problem+json`',
  '(RFC 9457, schema `Problem`); its `type` is a URI such as `/problems/not-found` that `GET` resolves on this',
  'service (see the `problems` operations). 429 and 503 carry Retry-After.\n\n**Servers.** The one server is the',
  'relative `/`: a client talks to the origin it fetched this document from. Behind a proxy or at another URL,',
  'give your client (or generator) the public base URL, or publish a copy whose `servers` names it.',
].join(' ');

/** What the document's `info` says about the package (from package.json). */
export interface PackageInfo {
  version: string;
  license: string;
  /** Where the project lives: package.json `homepage` or `repository`, when set. */
  url?: string;
}

const SERVERS = [
  {
    url: '/',
    description: 'This service, relative to the origin the document was fetched from',
  },
];

const TAGS = [
  {
    name: 'experiments',
    description:
      'Long-running, queued Monte-Carlo experiments: submit, follow, fetch the result and its plots, cancel, delete',
  },
  {
    name: 'signals',
    description: 'Signals uploaded once (WAV or JSON), used by many experiments and analyses',
  },
  { name: 'analysis', description: 'Synchronous theory and design, no Monte Carlo' },
  {
    name: 'webhooks',
    description:
      'Signed deliveries of experiment events to your URLs (Standard Webhooks), and their attempts',
  },
  { name: 'operations', description: 'Probes, metrics and this document; public by default' },
  { name: 'problems', description: 'What each problem `type` URI means; public' },
];

type Operation = {
  requestBody?: { content: Record<string, Record<string, unknown>> };
  responses: Record<string, { content?: Record<string, Record<string, unknown>> }>;
};

/**
 * Examples on the main bodies, from real runs of the engine (./schemas/examples.ts): the two
 * request types of POST /v1/experiments, its 202 answer, and a succeeded experiment of each type.
 */
function withExamples(document: Record<string, unknown>): Record<string, unknown> {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const json = (operation: Operation | undefined, status?: string) =>
    (status === undefined ? operation?.requestBody : operation?.responses[status])?.content?.[
      'application/json'
    ];
  const examples = experimentExamples();
  const create = paths['/v1/experiments']?.post;
  const get = paths['/v1/experiments/{id}']?.get;
  const put = (target: Record<string, unknown> | undefined, value: Record<string, unknown>) => {
    if (target === undefined) throw new Error('an example has no body to go on');
    target.examples = value;
  };
  put(json(create), {
    energy: { summary: 'Energy: an impulse and the alternating sine', value: ENERGY_REQUEST_EXAMPLE },
    frameBounds: { summary: 'Frame bounds: J = 16, T = 16 and 64', value: FRAME_BOUNDS_REQUEST_EXAMPLE },
  });
  put(json(create, '202'), {
    queued: { summary: 'The frame-bounds example, queued', value: examples.queued },
  });
  put(json(get, '200'), {
    energy: { summary: 'The energy example, succeeded', value: examples.energy },
    frameBounds: { summary: 'The frame-bounds example, succeeded', value: examples.frameBounds },
  });
  return document;
}

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
  async (
    app: FastifyInstance,
    options: { guard: onRequestHookHandler | undefined; package: PackageInfo },
  ) => {
    const pkg = options.package;
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'fbstab',
          version: pkg.version,
          description: DESCRIPTION,
          license: { name: pkg.license, identifier: pkg.license },
          contact: { name: 'fbstab maintainers', ...(pkg.url === undefined ? {} : { url: pkg.url }) },
        },
        servers: SERVERS,
        tags: TAGS,
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description:
                'One of the keys in API_KEYS, as `Authorization: Bearer <key>`. Optional when the server runs ' +
                'without API_KEYS: then every operation is open and the header is ignored.',
            },
          },
        },
      },
      transform: (document) => withBinaryBodies(jsonSchemaTransform(document)),
      transformObject: (document) =>
        withExamples(
          finishOpenApiDocument(jsonSchemaTransformObject(document) as Record<string, unknown>),
        ) as never,
    });
    const guard = options.guard;
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // Operation ids are the names generated clients give the calls: show them beside the paths.
      uiConfig: { displayOperationId: true, docExpansion: 'list' },
      ...(guard === undefined ? {} : { uiHooks: { onRequest: guard } }),
    });
    app.get(
      '/openapi.yaml',
      {
        schema: {
          operationId: 'getOpenApiDocument',
          summary: 'This OpenAPI document',
          description:
            'The document as YAML, generated from the zod schemas of the routes; the same as openapi.yaml in the ' +
            'repository. Public by default, like /docs; with API_KEYS set and DOCS_PUBLIC=false both need a key.',
          tags: ['operations'],
          security: [],
          response: {
            200: {
              description: 'OpenAPI 3.1, YAML',
              content: { 'application/yaml': { schema: z.string() } },
            },
            ...problemResponses(401),
          },
        },
        ...(guard === undefined ? {} : { onRequest: guard }),
      },
      async (_request, reply) =>
        reply.type('application/yaml; charset=utf-8').send(openApiToYaml(app.swagger())),
    );
  },
  { name: 'docs' },
);
