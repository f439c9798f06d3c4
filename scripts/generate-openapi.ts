// Writes openapi.yaml at the repository root from the API's zod schemas: `npm run openapi`.
// test/api/openapi.test.ts fails when the committed file differs from a fresh rendering.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiYaml } from '../src/api/openapi-document.js';

const target = fileURLToPath(new URL('../openapi.yaml', import.meta.url));
writeFileSync(target, await renderOpenApiYaml());
console.log(`wrote ${target}`);
