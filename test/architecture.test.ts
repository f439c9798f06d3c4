// The layers of docs/architecture.md, checked on every relative import under src/ and workers/:
// a layer imports only the layers its row names, so the engine stays free of the service.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The layer of a repository path, by its folder (files at src/ top level are process concerns). */
function layerOf(path: string): string {
  const [top, second] = path.split('/');
  if (top === 'workers') return 'processes';
  if (top !== 'src') return 'outside';
  if (second === undefined || second.endsWith('.ts')) return second === 'config.ts' ? 'config' : 'processes';
  if (['store', 'queue', 'redis'].includes(second)) return 'store';
  if (second === 'cli') return 'processes';
  return second;
}

/** Layer → the layers it may import (docs/architecture.md, "Layers"). */
const allowed: Record<string, string[]> = {
  core: [],
  experiments: ['core'],
  formats: ['core', 'experiments'],
  plots: ['experiments'],
  runtime: ['core', 'experiments', 'formats', 'config'],
  store: ['core', 'experiments'],
  config: ['core'],
  service: ['core', 'experiments', 'formats', 'plots', 'runtime', 'store', 'config'],
  worker: ['core', 'experiments', 'formats', 'plots', 'runtime', 'store', 'service', 'config'],
  api: ['core', 'experiments', 'formats', 'plots', 'runtime', 'store', 'service', 'config'],
  // Type-only imports of src/api/schemas are checked apart (typeOnlyFrom below).
  client: ['experiments'],
  processes: [
    'core',
    'experiments',
    'formats',
    'plots',
    'runtime',
    'store',
    'service',
    'worker',
    'api',
    'client',
    'config',
  ],
};

/**
 * Folders a layer may import types from, and only types (`import type`), which the compiler
 * erases: the client's response types are z.output of the API's schemas, without their code.
 */
const typeOnlyFrom: Record<string, string[]> = { client: ['src/api/schemas/'] };

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.includes('test-') ? [path] : [];
  });
}

test('every import under src/ and workers/ stays within the layers docs/architecture.md allows', () => {
  const violations: string[] = [];
  for (const file of [...sources('src'), ...sources('workers')]) {
    const from = layerOf(file);
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b([^'"]*?)from\s+'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(root, resolve(dirname(join(root, file)), match[2]!)).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      const typeOnly = /^\s*type\b/.test(match[1]!);
      if (typeOnly && (typeOnlyFrom[from] ?? []).some((folder) => target.startsWith(folder))) continue;
      if (to !== from && !allowed[from]!.includes(to))
        violations.push(`${file} (${from}) → ${target} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('src/client imports no package but zod types, so it runs in browsers and on Node with global fetch', () => {
  const offending: string[] = [];
  for (const file of sources('src/client')) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b([^'"]*?)from\s+'([^.'][^']*)'/g)) {
      const typeOnly = /^\s*type\b/.test(match[1]!);
      if (!(typeOnly && match[2] === 'zod')) offending.push(`${file} → ${match[2]}`);
    }
  }
  assert.deepEqual(offending, []);
});
