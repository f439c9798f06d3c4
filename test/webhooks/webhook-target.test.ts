// The address check of webhook URLs (docs/api.md "Webhooks", server-side request forgery): every
// blocked range, in every textual form a URL or a DNS answer can give it, and the public
// addresses that must pass. Plus the retry arithmetic: Retry-After and the jittered backoff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicAddress, resolveWebhookTarget } from '../../src/service/webhook-target.js';
import { backoffDelayMs, retryAfterMs } from '../../src/worker/webhook-worker.js';

test('loopback, private, link-local, metadata, CGNAT, multicast and reserved addresses are not public', () => {
  for (const address of [
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '198.18.0.1',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '2001:db8::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '::127.0.0.1',
    '2002:7f00:1::1',
    'not an address',
  ])
    assert.equal(isPublicAddress(address), false, address);
});

test('public IPv4 and IPv6 addresses pass', () => {
  for (const address of [
    '1.1.1.1',
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
  ])
    assert.equal(isPublicAddress(address), true, address);
});

test('resolveWebhookTarget refuses other schemes, credentials and private hosts, and pins the address', async () => {
  await assert.rejects(resolveWebhookTarget('ftp://1.1.1.1/', { allowPrivate: false }), /http and https/);
  await assert.rejects(resolveWebhookTarget('http://u:p@1.1.1.1/', { allowPrivate: false }), /credentials/);
  await assert.rejects(
    resolveWebhookTarget('http://localhost/', { allowPrivate: false }),
    /not a public address/,
  );
  await assert.rejects(
    resolveWebhookTarget('http://[::ffff:169.254.169.254]/', { allowPrivate: false }),
    /not a public address/,
  );
  const pinned = await resolveWebhookTarget('https://1.1.1.1:8443/hook', { allowPrivate: false });
  assert.deepEqual([pinned.address, pinned.family, pinned.url.port], ['1.1.1.1', 4, '8443']);
  const local = await resolveWebhookTarget('http://[::1]:9/', { allowPrivate: true });
  assert.deepEqual([local.address, local.family], ['::1', 6]);
});

test('Retry-After in seconds or as a date; backoff doubles, is capped, and is jittered in [0.5, 1)', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(undefined), undefined);
  for (let attempt = 1; attempt <= 12; attempt++) {
    const full = Math.min(60_000, 1000 * 2 ** (attempt - 1));
    const delay = backoffDelayMs(attempt, 1000, 60_000);
    assert.ok(delay >= full * 0.5 && delay <= full, `attempt ${attempt}: ${delay}`);
  }
});
