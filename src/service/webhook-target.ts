import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a webhook may not reach (docs/api.md "Webhooks"): this host, private networks,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unique-local IPv6,
 * multicast, documentation and reserved ranges, the unspecified address.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address in any textual form node accepts. */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const groups =
    tail === undefined
      ? part(head)
      : [...part(head), ...Array<string>(8 - part(head).length - part(tail).length).fill('0'), ...part(tail)];
  return groups.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

/**
 * The IPv4 address an IPv6 one stands for (mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d,
 * NAT64 64:ff9b::a.b.c.d), which is what a connection to it reaches; undefined otherwise.
 */
function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const compatible = zeros(0, 12) && !zeros(12, 16);
  const nat64 = b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12);
  return mapped || compatible || nat64 ? b.slice(12).join('.') : undefined;
}

/** Whether a webhook may connect to this IP address (docs/api.md "Webhooks"). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined) return !blocked.check(v4, 'ipv4');
  return !blocked.check(address, 'ipv6');
}

/** A webhook URL that may not be used, and why (one sentence). */
export class WebhookTargetError extends Error {
  override name = 'WebhookTargetError';
}

/** A checked target: the URL, and the address to connect to (the one that was checked). */
export interface WebhookTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host and checks every address it resolves to; a host with any address
 * that is not public is refused, unless `allowPrivate` (WEBHOOK_ALLOW_PRIVATE). The caller
 * connects to the returned address, so a DNS answer that changes after the check (rebinding)
 * is never used.
 *
 * @throws WebhookTargetError for a URL that is not http(s), a host that does not resolve, or an
 *   address in a blocked range.
 */
export async function resolveWebhookTarget(
  rawUrl: string,
  options: { allowPrivate: boolean },
): Promise<WebhookTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new WebhookTargetError('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new WebhookTargetError('only http and https URLs are accepted');
  if (url.username !== '' || url.password !== '')
    throw new WebhookTargetError('credentials in the URL are not accepted');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new WebhookTargetError(
        `host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new WebhookTargetError(`host ${host} does not resolve`);
  if (!options.allowPrivate) {
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused !== undefined)
      throw new WebhookTargetError(
        `host ${host} resolves to ${refused.address}, which is not a public address (loopback, private, link-local, metadata or reserved ranges are refused)`,
      );
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
