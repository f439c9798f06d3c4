// The committed openapi.yaml must match the routes' zod schemas.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { renderOpenApiYaml } from '../../src/api/openapi-document.js';

test('openapi.yaml is up to date (run `npm run openapi` when this fails)', async () => {
  const fresh = await renderOpenApiYaml();
  const committed = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8');
  assert.ok(fresh === committed, 'openapi.yaml differs from the generated document: run `npm run openapi`');
});

test('the document keeps the names docs/api.md fixes', async () => {
  const doc = parse(await renderOpenApiYaml()) as {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };
  for (const [path, methods] of Object.entries({
    '/v1/experiments': ['post', 'get'],
    '/v1/experiments/{id}': ['get', 'delete'],
    '/v1/experiments/{id}/cancel': ['post'],
    '/v1/experiments/{id}/events': ['get'],
    '/healthz': ['get'],
    '/readyz': ['get'],
    '/metrics': ['get'],
    '/openapi.yaml': ['get'],
  })) {
    for (const method of methods) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
  }
  const experiment = Object.keys(doc.components.schemas.Experiment?.properties ?? {});
  for (const field of [
    'id',
    'type',
    'status',
    'progress',
    'request',
    'createdAt',
    'startedAt',
    'finishedAt',
    'links',
    'result',
    'error',
  ]) {
    assert.ok(experiment.includes(field), field);
  }
  const problem = Object.keys(doc.components.schemas.Problem?.properties ?? {});
  for (const field of ['type', 'title', 'status', 'detail', 'errors'])
    assert.ok(problem.includes(field), field);
  assert.ok(doc.components.schemas.ExperimentRequest, 'the request schema is a component');
});
