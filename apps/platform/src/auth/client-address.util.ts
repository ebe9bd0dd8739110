import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Express' names for address ranges (`trust proxy`), so ANXIN_TRUSTED_PROXIES means the same everywhere. */
const NAMED_RANGES: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  linklocal: [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  uniquelocal: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

const unmapped = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

/** Whether a peer is one of the configured proxies (entries already checked by config.ts). */
export function proxyMatcher(entries: string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const ranges = NAMED_RANGES[entry] ?? [
      [address, bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits), family],
    ];
    for (const [net, prefix, fam] of ranges) list.addSubnet(net, prefix, fam);
  }
  return (address) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client of a raw request (a socket.io handshake), as express computes `req.ip`: walk
 * X-Forwarded-For from the nearest hop while each hop is a trusted proxy.
 */
export function clientAddress(request: IncomingMessage, trusted: (address: string) => boolean): string | null {
  const peer = request.socket.remoteAddress;
  if (!peer) return null;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
    .reverse();
  let client = peer;
  for (const hop of forwarded) {
    if (!trusted(client)) break;
    client = hop;
  }
  return unmapped(client);
}
