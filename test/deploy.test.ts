// Deployment files: docker-compose.yml must be a valid compose file with the services docs/api.md's
// "Running it" needs. No Docker engine runs on these machines, so the image is not built here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

test('docker-compose config accepts docker-compose.yml (redis with AOF, api, scalable worker)', () => {
  // `.ci/run` installs Debian's docker-compose (v1) when neither compose is present.
  const v2 = spawnSync('docker', ['compose', 'config', '-q'], { cwd: root, encoding: 'utf8' });
  const out =
    v2.status === 0 ? v2 : spawnSync('docker-compose', ['config', '-q'], { cwd: root, encoding: 'utf8' });
  assert.equal(out.status, 0, `compose config failed: ${out.stderr ?? out.error}`);
  const compose = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8')) as {
    services: Record<string, { command?: string[]; ports?: string[]; container_name?: string }>;
  };
  assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'redis', 'worker']);
  assert.ok(compose.services.redis!.command!.join(' ').includes('--appendonly yes'));
  assert.ok(compose.services.redis!.command!.join(' ').includes('--maxmemory-policy noeviction'));
  // --scale needs a worker without a fixed name or published port.
  assert.equal(compose.services.worker!.container_name, undefined);
  assert.equal(compose.services.worker!.ports, undefined);
});

test('Dockerfile: multi-stage, non-root, an init process, production dependencies only', () => {
  const dockerfile = readFileSync(`${root}/Dockerfile`, 'utf8');
  assert.equal((dockerfile.match(/^FROM /gm) ?? []).length, 2);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
  assert.match(dockerfile, /npm prune --omit=dev/);
});
