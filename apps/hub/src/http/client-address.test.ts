import { describe, expect, it } from 'vitest';
import { clientAddress } from './server.ts';

describe('the client address sign-in limits count per', () => {
  it('is the connection\'s peer, whatever X-Forwarded-For claims, when the peer is not a trusted proxy', () => {
    expect(clientAddress('203.0.113.5', '198.51.100.1', [])).toBe('203.0.113.5');
    expect(clientAddress('::ffff:203.0.113.5', null, [])).toBe('203.0.113.5');
  });

  it('behind trusted proxies, is the last forwarded address that is not itself a trusted proxy', () => {
    const proxies = ['10.0.0.2', '10.0.0.3'];

    expect(clientAddress('10.0.0.2', '198.51.100.7', proxies)).toBe('198.51.100.7');
    // The client can put anything first; only what the trusted hops appended counts.
    expect(clientAddress('10.0.0.2', 'forged, 198.51.100.7, 10.0.0.3', proxies)).toBe('198.51.100.7');
    expect(clientAddress('10.0.0.2', null, proxies)).toBe('10.0.0.2');
    // A proxy listed in its IPv4-mapped spelling is the same proxy.
    expect(clientAddress('10.0.0.2', '198.51.100.7', ['::ffff:10.0.0.2'])).toBe('198.51.100.7');
  });

  it('is unknown without a peer address', () => {
    expect(clientAddress(null, '198.51.100.7', ['10.0.0.2'])).toBeNull();
  });
});
