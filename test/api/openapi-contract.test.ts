// openapi.yaml as other people's tools read it (docs/api.md "Operations"): redocly's recommended
// ruleset finds nothing; every operation has an id, a summary, a description, tags, security and
// its problem responses; the examples are valid against their schemas; and openapi-typescript's
// types let a small typed client (test/typed-client/call-site.ts) compile and talk to the service.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { experimentRequestSchema, experimentResourceSchema } from '../../src/api/schemas/experiment.js';
import { startStack, type Stack } from './helpers.js';

/** What this test uses of test/typed-client/call-site.ts (which has the generated types). */
interface CallSite {
  smallFrameBounds: unknown;
  createExperiment(
    base: string,
    body: unknown,
  ): Promise<{ ok: true; status: number; body: { id: string } } | { ok: false; status: number }>;
  getExperiment(
    base: string,
    id: string,
  ): Promise<
    | { ok: true; body: { status: string } }
    | { ok: false; problem: { type: string; status: number; title: string } }
  >;
  describeProblem(problem: { type: string; status: number; title: string }): string;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = (...args: string[]) =>
  spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      // The lint runs offline: no update check, no usage report (redocly.yaml says so too).
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      REDOCLY_TELEMETRY: 'off',
    },
  });

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: {
    content: Record<string, { schema: unknown; examples?: Record<string, { value: unknown }> }>;
  };
  responses: Record<
    string,
    {
      headers?: Record<string, unknown>;
      content?: Record<string, { schema: { $ref?: string }; examples?: Record<string, { value: unknown }> }>;
    }
  >;
}
interface Document {
  info: { version: string; license?: { name: string }; contact?: unknown };
  servers?: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}
const doc = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as Document;
const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);

test('redocly lint, recommended ruleset (redocly.yaml): 0 errors, 0 warnings', () => {
  const run = node('node_modules/@redocly/cli/bin/cli.js', 'lint', 'openapi.yaml', '--format=json');
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string }[];
  };
  assert.deepEqual(
    report.totals,
    { errors: 0, warnings: 0, ignored: 0 },
    report.problems.map((p) => `${p.ruleId}: ${p.message}`).join('\n'),
  );
  assert.equal(run.status, 0);
});

test('info, servers and the bearer scheme', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
    license: string;
  };
  assert.equal(doc.info.version, pkg.version);
  assert.equal(doc.info.license?.name, pkg.license);
  assert.ok(doc.info.contact);
  assert.equal(doc.servers?.[0]?.url, '/');
  assert.deepEqual(Object.keys(doc.components.securitySchemes), ['bearerAuth']);
});

describe('every operation', () => {
  const ids = operations.map((o) => o.operation.operationId);
  test('has a unique lowerCamelCase operationId, a summary, a description and a declared tag', () => {
    assert.equal(new Set(ids).size, ids.length);
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { path, method, operation: o } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.match(o.operationId ?? '', /^[a-z]+(?:[A-Z][a-z0-9]*)+$/, where);
      assert.ok((o.summary ?? '').length > 5, `${where}: summary`);
      assert.ok((o.description ?? '').length > 20, `${where}: description`);
      assert.ok(o.tags?.length === 1 && tags.has(o.tags[0]!), `${where}: tags`);
    }
  });

  test('/v1 needs the bearer key; the probes, metrics, the document and problem types are public', () => {
    for (const { path, method, operation: o } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.deepEqual(o.security, path.startsWith('/v1/') ? [{ bearerAuth: [] }] : [], where);
    }
  });

  test('lists its problem responses, each the shared Problem schema; 429 and 503 with Retry-After', () => {
    // No client error can reach these (no parameters, no body, no key, no rate limit); redocly.yaml
    // turns operation-4xx-response off for their sake, so every other operation is checked here.
    const without4xx = new Set(['getHealth', 'getReadiness', 'listProblemTypes']);
    for (const { path, method, operation: o } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(o.responses).map(Number);
      if (!without4xx.has(o.operationId!))
        assert.ok(
          statuses.some((s) => s >= 400 && s < 500),
          where,
        );
      if (path.startsWith('/v1/')) {
        for (const s of [401, 429, 503]) assert.ok(statuses.includes(s), `${where}: ${s}`);
      }
      for (const s of statuses.filter((s) => s >= 400)) {
        const response = o.responses[String(s)]!;
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${where} ${s}`);
        assert.equal(
          response.content?.['application/problem+json']?.schema.$ref,
          '#/components/schemas/Problem',
        );
        if (s === 429 || s === 503)
          assert.ok(response.headers?.['Retry-After'], `${where} ${s}: Retry-After`);
      }
    }
  });
});

test('no component is unused, and no two have one shape', () => {
  const text = JSON.stringify(doc.paths) + JSON.stringify(doc.components.schemas);
  const shapes = new Set<string>();
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    assert.ok(text.includes(`"#/components/schemas/${name}"`), `${name} is unused`);
    const shape = JSON.stringify(schema);
    assert.ok(!shapes.has(shape), `${name} repeats another schema`);
    shapes.add(shape);
  }
});

describe('the examples', () => {
  const create = doc.paths['/v1/experiments']!.post!;
  const get = doc.paths['/v1/experiments/{id}']!.get!;
  const requests = create.requestBody!.content['application/json']!.examples!;
  const resources = {
    ...create.responses['202']!.content!['application/json']!.examples!,
    ...get.responses['200']!.content!['application/json']!.examples!,
  };
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // The document's component schemas, by the $ref the operations use.
  ajv.addSchema({ $id: 'openapi', components: doc.components } as object);
  const check = (ref: string, value: unknown) => {
    const validate = ajv.getSchema(`openapi#/components/schemas/${ref}`)!;
    assert.ok(validate(value), JSON.stringify(validate.errors));
  };

  test('an energy and a frame-bounds request, each valid against ExperimentRequest and the zod schema', () => {
    assert.deepEqual(Object.keys(requests).sort(), ['energy', 'frameBounds']);
    for (const { value } of Object.values(requests)) {
      check('ExperimentRequest', value);
      experimentRequestSchema.parse(value);
    }
  });

  test('a queued and two succeeded resources, valid against Experiment and the zod schema', () => {
    assert.deepEqual(Object.keys(resources).sort(), ['energy', 'frameBounds', 'queued']);
    for (const { value } of Object.values(resources)) {
      check('Experiment', value);
      experimentResourceSchema.parse(value);
    }
    const finished = resources.frameBounds!.value as { status: string; result: { cells: unknown[] } };
    assert.equal(finished.status, 'succeeded');
    assert.equal(finished.result.cells.length, 2);
  });
});

describe('a client typed by openapi-typescript', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ workers: true, env: { RATE_LIMIT_PER_MINUTE: '0' } });
  });
  after(async () => {
    await stack.close();
  });

  test('types generated from openapi.yaml let test/typed-client/call-site.ts compile', () => {
    // Defaults are optional in a request: without this flag every field with a default would be
    // required in the request types (openapi-typescript 7's default), which the API does not ask.
    const generate = node(
      'node_modules/openapi-typescript/bin/cli.js',
      'openapi.yaml',
      '--default-non-nullable=false',
      '-o',
      'test/typed-client/generated/openapi.d.ts',
    );
    assert.equal(generate.status, 0, generate.stderr);
    const typecheck = node('node_modules/typescript/bin/tsc', '-p', 'test/typed-client/tsconfig.json');
    assert.equal(typecheck.status, 0, typecheck.stdout + typecheck.stderr);
  });

  test('and runs: createExperiment, getExperiment until it succeeds, and a 404 problem', async () => {
    // A computed specifier: the call site's types come from the generated file, which exists
    // only once the test above ran, so the project's own type-check must not follow this import.
    const client = (await import(new URL('../typed-client/call-site.ts', import.meta.url).href)) as CallSite;
    const created = await client.createExperiment(stack.base, client.smallFrameBounds);
    assert.ok(created.ok, JSON.stringify(created));
    assert.equal(created.status, 202);
    let experiment: Awaited<ReturnType<CallSite['getExperiment']>> | undefined;
    for (let i = 0; i < 200; i++) {
      experiment = await client.getExperiment(stack.base, created.body.id);
      if (experiment.ok && experiment.body.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(experiment?.ok && experiment.body.status === 'succeeded', JSON.stringify(experiment));
    const missing = await client.getExperiment(stack.base, '00000000-0000-4000-8000-000000000000');
    assert.ok(!missing.ok);
    assert.equal(missing.problem.type, '/problems/not-found');
    assert.match(client.describeProblem(missing.problem), /^404 Not found/);
  });
});
