#!/usr/bin/env node
// Runs node's test runner over the given *.test.ts files and every *.test.ts below the given
// folders (default: src and test),
// with tsx as the TypeScript loader. Node 20's --test does not expand globs itself.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules') walk(path);
    } else if (name.endsWith('.test.ts')) files.push(path);
  }
};
for (const root of roots) {
  try {
    if (root.endsWith('.test.ts') && statSync(root).isFile()) files.push(root);
    else walk(root);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
