// docs/api.md (for people) and openapi.yaml (for tools) describe one API: the same routes, the
// same operation ids, the same problem types; the sections the code cites exist; every
// configuration variable is documented; and both state how frame bounds are normalised.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { configSchema } from '../../src/config.js';
import { PROBLEM_TYPES, problemTypePath } from '../../src/service/problem.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const prose = read('docs/api.md');
const yamlText = read('openapi.yaml');
const doc = parse(yamlText) as {
  paths: Record<
    string,
    Record<string, { operationId: string; parameters?: { name: string; schema: { enum?: string[] } }[] }>
  >;
  components: { schemas: { Problem: { properties: { type: { description: string } } } } };
};

/** Pages the service serves that are not API operations, so not in openapi.yaml. */
const PAGES = new Set(['GET /', 'GET /docs']);

const documented = new Set(
  [...prose.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^\s`?]*)`/g)].map(([, m, p]) => `${m} ${p}`),
);
const described = new Set(
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
  ),
);

describe('docs/api.md and openapi.yaml', () => {
  test('name the same routes', () => {
    assert.deepEqual(
      [...described].filter((r) => !documented.has(r)),
      [],
      'in openapi.yaml, not in docs/api.md',
    );
    assert.deepEqual(
      [...documented].filter((r) => !described.has(r) && !PAGES.has(r)),
      [],
      'in docs/api.md, not in openapi.yaml',
    );
  });

  test('name the same operation ids', () => {
    const ids = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((o) => o.operationId),
    );
    for (const id of ids) assert.ok(prose.includes(`\`${id}\``), id);
    const table = [...prose.matchAll(/^\| `[A-Z]+ [^`]+` +\| `(\w+)`/gm)].map(([, id]) => id);
    assert.deepEqual(table.sort(), [...ids].sort());
  });

  test('name every problem type, and no other', () => {
    const slugParam = doc.paths['/problems/{slug}']?.get?.parameters?.find((p) => p.name === 'slug');
    for (const t of PROBLEM_TYPES) {
      const uri = problemTypePath(t.slug);
      assert.match(prose, new RegExp(`\\| ${t.status} +\\| \`${uri}\``), `${uri} in the docs/api.md table`);
      assert.ok(
        doc.components.schemas.Problem.properties.type.description.includes(uri),
        `${uri} in Problem.type`,
      );
      assert.ok(slugParam?.schema.enum?.includes(t.slug), `${t.slug} in GET /problems/{slug}`);
    }
    const mentioned = new Set([...(prose + yamlText).matchAll(/\/problems\/([a-z-]+)/g)].map(([, s]) => s!));
    const known = new Set(PROBLEM_TYPES.map((t) => t.slug));
    assert.deepEqual(
      [...mentioned].filter((s) => !known.has(s)),
      [],
    );
  });

  test('state the normalisation of A and B', () => {
    for (const text of [prose, yamlText]) {
      assert.match(text, /J·T·σ²\/d/);
      assert.match(text, /A = B = 1 at any stride|A = B = 1, whatever the stride/);
      assert.match(text, /not normalised/);
    }
  });
});

/** Citations of a phrase of the text rather than a section heading. */
const PHRASES = new Set(['Each signal is one of the following', 'signals']);

test('every section or phrase of docs/api.md the code cites exists', () => {
  const files = execFileSync('git', ['ls-files', 'src', 'test', 'scripts', 'workers', 'public'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /\.(ts|js|mjs)$/.test(f));
  const headings = new Set([...prose.matchAll(/^#+ (.+)$/gm)].map(([, h]) => h!.trim()));
  const missing: string[] = [];
  let cited = 0;
  for (const file of files) {
    const text = readFileSync(`${root}/${file}`, 'utf8');
    for (const [, after] of text.matchAll(/docs\/api\.md,? \(?((?:"[^"\n]+"(?:, )?)+)/g)) {
      for (const [, name] of after!.matchAll(/"([^"]+)"/g)) {
        cited++;
        const found = headings.has(name!) || (PHRASES.has(name!) && prose.includes(name!));
        if (!found) missing.push(`${file}: "${name}"`);
      }
    }
  }
  assert.ok(cited > 20, `only ${cited} citations found: is the pattern still right?`);
  assert.deepEqual(missing, []);
});

test('every configuration variable is documented in "Running it"', () => {
  const running = prose.slice(prose.indexOf('## Running it'), prose.indexOf('## Operations'));
  for (const name of Object.keys(configSchema.shape)) assert.ok(running.includes(`\`${name}\``), name);
});
