// `import { FbstabClient } from 'fbstab/client'` as a consumer writes it (docs/api.md "Client"):
// the package's "exports" resolve it, its declarations type-check under moduleResolution
// nodenext with browser libraries and no Node types, and the compiled file runs against the
// real service. Needs dist/ (npm ci builds it).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../api/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const consumer = `
import { FbstabClient, FbstabProblemError, type Experiment, type ExperimentRequestInput } from 'fbstab/client';

declare const process: { argv: string[] };

const request: ExperimentRequestInput = {
  type: 'frame-bounds',
  trials: 10,
  signalLength: 64,
  filterbank: { numFilters: 4, filterLengths: [4] },
};
// @ts-expect-error the types are the server's schemas: an unknown experiment type does not compile
const wrong: ExperimentRequestInput = { type: 'energies', filterbank: { numFilters: 4, filterLengths: [4] } };
void wrong;

const client = new FbstabClient({ baseUrl: process.argv[2]! });
const submitted: Experiment = await client.submit(request);
let status = 0;
try {
  await client.get('00000000-0000-4000-8000-000000000000');
} catch (error) {
  if (error instanceof FbstabProblemError) status = error.status;
}
console.log(JSON.stringify({ id: submitted.id, status: submitted.status, missing: status }));
`;

/** The TypeScript example of docs/api.md "Client", which must compile as a consumer's code. */
const docsExample = (() => {
  const prose = readFileSync(join(root, 'docs/api.md'), 'utf8');
  const section = prose.slice(prose.indexOf('### TypeScript: `fbstab/client`'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, 'docs/api.md "Client" has a ts example');
  return block;
})();

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    // What a browser application has: the DOM's fetch, no Node types.
    lib: ['ES2023', 'DOM'],
    types: [],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    outDir: 'out',
  },
  files: ['consumer.ts', 'docs-example.ts'],
};

describe("the package's fbstab/client export", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  test('npm pack ships the client with its declarations', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: root,
        encoding: 'utf8',
      }),
    ) as { files: { path: string }[] }[];
    const files = new Set(pack!.files.map((f) => f.path));
    for (const path of [
      'package.json',
      'bin/fbstab.js',
      'dist/src/client/index.js',
      'dist/src/client/index.d.ts',
    ])
      assert.ok(files.has(path), path);
  });

  test('a consumer compiled with moduleResolution nodenext resolves, type-checks and runs it (and the docs example compiles)', async () => {
    assert.ok(existsSync(join(root, 'dist/src/client/index.d.ts')), 'dist/ is built (npm run build)');
    const dir = mkdtempSync(join(tmpdir(), 'fbstab-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    // As npm link or a workspace installs it: node_modules/fbstab is the package folder.
    symlinkSync(root, join(dir, 'node_modules', 'fbstab'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    writeFileSync(join(dir, 'consumer.ts'), consumer);
    writeFileSync(join(dir, 'docs-example.ts'), docsExample);
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      encoding: 'utf8',
    });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    // Asynchronously: the API it calls runs in this process.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(dir, 'out/consumer.js'), stack.base], { cwd: dir });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    assert.equal(run.status, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as { id: string; status: string; missing: number };
    assert.equal(printed.status, 'queued');
    assert.equal(printed.missing, 404);
    // Deep imports that worked before "exports" existed still do.
    const deep = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "await import('fbstab/dist/src/client/index.js'); await import('fbstab/package.json', { with: { type: 'json' } });",
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(deep.status, 0, deep.stderr);
  });
});
