import type { IncomingMessage } from 'node:http';
import { clientAddress, proxyMatcher } from './client-address.util';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddress (socket handshakes, like express req.ip)', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress(request('::ffff:10.0.0.5', '203.0.113.7'), proxyMatcher([]))).toBe('10.0.0.5');
  });

  it('takes the nearest untrusted hop behind trusted proxies', () => {
    const trusted = proxyMatcher(['10.0.0.0/8', 'loopback']);
    expect(clientAddress(request('::ffff:10.0.0.5', '198.51.100.1, 203.0.113.7, 10.1.2.3'), trusted)).toBe(
      '203.0.113.7',
    );
    expect(clientAddress(request('127.0.0.1', '203.0.113.9'), trusted)).toBe('203.0.113.9');
    // A client-supplied header reaching us directly is not believed.
    expect(clientAddress(request('192.0.2.4', '203.0.113.7'), trusted)).toBe('192.0.2.4');
  });

  it('matches single addresses, CIDRs and IPv6', () => {
    const trusted = proxyMatcher(['192.0.2.4', 'fd00::/8']);
    expect(trusted('192.0.2.4')).toBe(true);
    expect(trusted('192.0.2.5')).toBe(false);
    expect(trusted('fd12::1')).toBe(true);
    expect(trusted('not an address')).toBe(false);
  });
});
