// The repository stands on its own: a clone with nothing beside it can read, run and test
// everything. These checks scan the tracked files, so a reference to a file outside the
// repository, or to a doc section that does not exist, fails here before a user finds it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path !== '' && existsSync(join(root, path)));

/** Text of the tracked files that are text (no NUL byte in them). */
const texts = new Map<string, string>();
for (const path of tracked) {
  const bytes = readFileSync(join(root, path));
  if (!bytes.includes(0)) texts.set(path, bytes.toString('utf8'));
}

// The patterns are assembled from pieces so that this file does not match itself.
const forbidden: [string, RegExp][] = [
  ['a path to the sibling shared/ folder', new RegExp(String.raw`\.\./` + 'shared\\b')],
  ['the team-internal developers guide', new RegExp('DEVELOPERS' + String.raw`\.md`)],
  ['a spec file that does not ship (cite docs/theory.md or docs/api.md)', /(?<![\w/.-])(THEORY|API)\.md/],
  [
    'an absolute path of a build machine',
    new RegExp(String.raw`(^|[\s'"\x60(=:])/(work|root|home/(?!node\b)[a-z]|Users/[A-Za-z])` + String.raw`[\w./-]*`),
  ],
];

test('no tracked file outside .ci/ names a file outside the repository or a build machine path', () => {
  const hits: string[] = [];
  for (const [path, text] of texts) {
    if (path.startsWith('.ci/')) continue;
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      for (const [what, pattern] of forbidden) {
        if (pattern.test(line)) hits.push(`${path}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
      }
    });
  }
  assert.deepEqual(hits, []);
});

test('the README opens with the two commands, and .ci/run runs its test command verbatim', () => {
  const readme = texts.get('README.md')!;
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(block !== null && readme.indexOf(block[0]) < readme.indexOf('\n## '), 'a sh block before §1');
  const commands = block[1]!
    .trim()
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim());
  assert.equal(commands.length, 2);
  assert.match(commands[0]!, /fbstab reproduce/);
  const ciLines = texts
    .get('.ci/run')!
    .split('\n')
    .map((line) => line.trim());
  assert.ok(ciLines.includes(commands[1]!), `.ci/run runs "${commands[1]}"`);
});

test('relative links in the README and docs/ point at tracked files', () => {
  const broken: string[] = [];
  for (const [path, text] of texts) {
    if (!(path.endsWith('.md') && (path === 'README.md' || path.startsWith('docs/') || !path.includes('/'))))
      continue;
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!.split('#')[0]!;
      if (target === '' || /^[a-z]+:/.test(target) || target.startsWith('/')) continue;
      const resolved = normalize(join(dirname(path), decodeURIComponent(target)));
      if (!tracked.some((file) => file === resolved || file.startsWith(`${resolved}/`)))
        broken.push(`${path}: ${match[1]}`);
    }
  }
  assert.deepEqual(broken, []);
});

/** Headings of a markdown file, as written after the #s. */
const headings = (path: string) =>
  [...(texts.get(path) ?? '').matchAll(/^#{1,4} +(.+)$/gm)].map((m) => m[1]!.trim());

test('every `docs/theory.md §n` cited in the code is a section of docs/theory.md', () => {
  const sections = new Set(
    headings('docs/theory.md').flatMap((h) => {
      const number = /^§?\s*(\d+(?:\.\d+)*)[.\s]/.exec(h);
      return number === null ? [] : [number[1]!];
    }),
  );
  assert.ok(sections.size >= 9, 'docs/theory.md has numbered sections');
  const missing = new Set<string>();
  for (const [path, text] of texts) {
    for (const cite of text.matchAll(
      /docs\/theory\.md,?\s*((?:§\s*\d+(?:\.\d+)*(?:\s*(?:[–,-]|and|\/)\s*)?)+)/g,
    )) {
      for (const number of cite[1]!.matchAll(/\d+(?:\.\d+)*/g))
        if (!sections.has(number[0])) missing.add(`${path}: §${number[0]}`);
    }
  }
  assert.deepEqual([...missing], []);
});

test('the README documents every environment variable the service reads', () => {
  const readme = texts.get('README.md')!;
  const missing = Object.keys(configSchema.shape).filter((name) => !readme.includes(`\`${name}\``));
  assert.deepEqual(missing, []);
});

// Citations of docs/api.md headings are checked by test/api/api-doc.test.ts.
