// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Packages that do I/O or belong to the service layer; the numerics must not reach for them. */
const ioModules = ['fastify', 'fastify-*', '@fastify/*', 'bullmq', 'ioredis', 'pino', 'pino-*', 'node:*'];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'out/',
      'coverage/',
      'bench/baseline/**/*.py',
      'test/typed-client/generated/',
      // AssemblyScript (its own types and decorators; checked by asc in `npm run build`).
      'src/core/wasm/assembly/',
      'src/core/wasm/*.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain-JS scripts run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The dashboard's ES module runs in the browser (public/, served as is).
    files: ['public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'AbortController',
          'Blob',
          'CSS',
          'Headers',
          'Node',
          'TextDecoderStream',
          'clearTimeout',
          'document',
          'fetch',
          'sessionStorage',
          'setInterval',
          'setTimeout',
          'structuredClone',
          'window',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Pure numerics: no I/O, no clock, no global randomness (docs/architecture.md, "Layers").
    files: ['src/core/**/*.ts', 'src/experiments/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ioModules,
              message: 'src/core and src/experiments are pure: keep I/O and service packages out.',
            },
          ],
          paths: [
            'fs',
            'path',
            'os',
            'http',
            'https',
            'net',
            'child_process',
            'worker_threads',
            'crypto',
          ].map((name) => ({ name, message: 'src/core and src/experiments are pure: no Node built-ins.' })),
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Pass a seeded generator in instead.' },
        { object: 'Date', property: 'now', message: 'No clock in the numerics.' },
        { object: 'performance', property: 'now', message: 'No clock in the numerics.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in the numerics.' },
        { name: 'fetch', message: 'No I/O in the numerics.' },
      ],
    },
  },
  {
    // The client runs in browsers too: global fetch only (docs/architecture.md, "Layers").
    files: ['src/client/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ioModules,
              message: 'src/client runs in browsers: no service packages, no Node built-ins.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname'].map((name) => ({
          name,
          message: 'src/client runs in browsers: no Node globals.',
        })),
      ],
    },
  },
);
