import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchemaCompiler,
  type FastifyServerOptions,
} from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { safeParse, type $ZodType } from 'zod/v4/core';
import type { Config } from '../config.js';
import { PUBLIC_OWNER } from '../store/redis-keys.js';
import { ApiContext } from './context.js';
import { createAuthenticator } from './plugins/auth.js';
import { docsPlugin, type PackageInfo } from './plugins/docs.js';
import { metricsPlugin } from './plugins/metrics.js';
import { problem, problemHandler, sendProblem, type ValidationIssue } from './problem-handler.js';
import { dashboardRoutes, presetRoutes } from './routes/dashboard.js';
import { experimentEventRoutes, type OpenStreams } from './routes/experiment-events.js';
import { experimentRoutes } from './routes/experiments.js';
import { experimentListRoutes } from './routes/experiment-list.js';
import { ownerEventRoutes } from './routes/owner-events.js';
import { operationRoutes } from './routes/operations.js';
import { plotRoutes } from './routes/plots.js';
import { analysisRoutes } from './routes/analysis.js';
import { webhookRoutes } from './routes/webhooks.js';
import { signalRoutes } from './routes/signals.js';
import { problemTypeRoutes } from './routes/problem-types.js';
import { useUtf8JsonParser } from './utf8-json-parser.js';

export interface AppDeps {
  config: Config;
  /** A connection made by connectRedis(url, 'api'); the app uses it but never closes it. */
  redis: Redis;
  /** Fastify logger options, a pino logger, or false for none; default: pino at LOG_LEVEL. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger | false;
}

/** An incoming x-request-id is kept when it is a plausible id, so logs correlate across services. */
const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/**
 * zod validation that keeps each issue's original path (numbers stay array indices), so the
 * problem handler can name fields as `filterbank.filterLengths[1]` with formatIssuePath.
 */
const validatorCompiler: FastifySchemaCompiler<$ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    // A binary body (BINARY_BODIES: WAV, .npy) is decoded by its route; the schema is its JSON form's.
    if (httpPart === 'body' && Buffer.isBuffer(data)) return { value: data };
    const result = safeParse(schema, data);
    if (result.success) return { value: result.data };
    const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
      keyword: issue.code,
      instancePath: `/${issue.path.map(String).join('/')}`,
      message: issue.message,
      params: {},
      zodPath: issue.path,
    }));
    return { error: issues as never };
  };

/** The fields of the nearest package.json that the OpenAPI document's `info` states. */
function packageInfo(): PackageInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as {
        version?: string;
        license?: string;
        homepage?: string;
        repository?: string | { url?: string };
      };
      const repository = typeof json.repository === 'string' ? json.repository : json.repository?.url;
      const url = json.homepage ?? repository?.replace(/^git\+/, '').replace(/\.git$/, '');
      return {
        version: json.version ?? '0.0.0',
        license: json.license ?? 'UNLICENSED',
        ...(url === undefined ? {} : { url }),
      };
    }
    dir = dirname(dir);
  }
  return { version: '0.0.0', license: 'UNLICENSED' };
}

function isLoggerInstance(logger: unknown): logger is FastifyBaseLogger {
  return (
    typeof logger === 'object' && logger !== null && typeof (logger as FastifyBaseLogger).child === 'function'
  );
}

/**
 * The HTTP API (docs/api.md) as a Fastify app, not listening: src/server.ts listens, tests use
 * `app.server` with supertest. Closing the app closes what it opened (queues, the event
 * subscriber, open event streams), never `deps.redis`.
 */
/** A read of the change feed: a wall of dashboards sends one a second each. */
const CHANGE_POLL = /[?&]changedSince=/;

/**
 * Logs each request once, when it completes, with what an operator needs to find it. Polls that
 * went well (a 304, or a `changedSince` read answered 200) are logged at debug: their line was a
 * third of the API's CPU per poll under 100 dashboards (bench:dashboards), and /metrics counts them.
 */
class OneLineLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ...request.logContext,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else if (
      request.method === 'GET' &&
      (reply.statusCode === 304 || (reply.statusCode === 200 && CHANGE_POLL.test(request.url)))
    )
      request.log.debug(line, 'request completed');
    else request.log.info(line, 'request completed');
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, redis } = deps;
  const logger = deps.logger ?? { level: config.LOG_LEVEL };
  const app = Fastify({
    ...(isLoggerInstance(logger) ? { loggerInstance: logger } : { logger }),
    bodyLimit: config.MAX_BODY_BYTES,
    requestIdHeader: false,
    // A request that reached us before shutdown began is answered in full (Redis stays connected
    // until close() resolves); Fastify's default would answer it with a bare, non-problem 503.
    // Connection: close is still sent, so clients do not send more on that socket.
    return503OnClosing: false,
    // One log line per request instead of Fastify's two: half the logging cost.
    logController: new OneLineLogController(),
    // Router-level errors (a malformed URL, a path segment over maxParamLength) bypass the error
    // handler; answer them as problem+json too, never with Fastify's own JSON.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const status = tooLong ? 414 : 400;
      void sendProblem(
        reply,
        problem(
          status,
          tooLong ? 'URI too long' : 'Bad request',
          tooLong ? 'a path segment is too long' : 'the URL is malformed',
        ),
      );
    },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('owner', PUBLIC_OWNER);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  const context = new ApiContext(config, redis, app.log);
  const streams: OpenStreams = new Set();
  const authenticate = createAuthenticator(config.API_KEYS);
  const keysOn = config.API_KEYS.length > 0;

  await app.register(problemHandler);
  useUtf8JsonParser(app);
  // Security headers on every response. CSP is left to the routes that serve HTML (the dashboard
  // sets a strict one, /docs its own): JSON needs none.
  await app.register(helmet, {
    contentSecurityPolicy: false,
    // Left out: headers for browsers and plug-ins of another age or for documents with links
    // (X-Download-Options is IE8's, X-Permitted-Cross-Domain-Policies Flash's and Acrobat's,
    // X-XSS-Protection: 0 turns off a filter no current browser has; Origin-Agent-Cluster and
    // X-DNS-Prefetch-Control concern HTML pages, and the dashboard links nowhere). Each header
    // is set on every response: these five were 2 % of a POST's CPU.
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    crossOriginResourcePolicy: { policy: config.CORS_ORIGINS.length > 0 ? 'cross-origin' : 'same-origin' },
  });
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      origin: config.CORS_ORIGINS.includes('*') ? '*' : config.CORS_ORIGINS,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'If-None-Match',
        'Last-Event-ID',
        'X-Request-Id',
      ],
      exposedHeaders: ['Location', 'ETag', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    });
  }
  await app.register(docsPlugin, {
    guard: keysOn && !config.DOCS_PUBLIC ? authenticate : undefined,
    package: packageInfo(),
  });
  await app.register(metricsPlugin, {
    context,
    guard: keysOn && !config.METRICS_PUBLIC ? authenticate : undefined,
  });
  await app.register(operationRoutes, { context });
  await app.register(dashboardRoutes);
  await app.register(problemTypeRoutes);

  await app.register(
    async (v1) => {
      v1.addHook('onRequest', authenticate);
      if (config.RATE_LIMIT_PER_MINUTE > 0) {
        await v1.register(rateLimit, {
          max: config.RATE_LIMIT_PER_MINUTE,
          timeWindow: 60_000,
          redis,
          nameSpace: 'fbstab:ratelimit:',
          // Runs after authentication: a key's budget follows the key, wherever it comes from.
          keyGenerator: (request) =>
            request.owner === PUBLIC_OWNER ? `ip:${request.ip}` : `key:${request.owner}`,
        });
      }
      await v1.register(experimentRoutes, { context });
      await v1.register(experimentListRoutes, { context });
      await v1.register(ownerEventRoutes, { context, streams });
      await v1.register(experimentEventRoutes, { context, streams });
      await v1.register(plotRoutes, { context });
      await v1.register(presetRoutes);
      await v1.register(signalRoutes, { context });
      await v1.register(analysisRoutes, { context });
      await v1.register(webhookRoutes, { context });
    },
    { prefix: '/v1' },
  );

  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => {
    await context.close();
  });
  return app as unknown as FastifyInstance;
}
