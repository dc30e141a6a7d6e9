import { describe, expect, it } from 'vitest';
import { addressBucket } from './rate-limit.ts';

describe('the per-address sign-in limit counts', () => {
  it('an IPv4 address on its own, written plainly or IPv4-mapped', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('an IPv6 address by its /64, however it is written', () => {
    const bucket = '2001:0db8:0001:0002::/64';
    expect(addressBucket('2001:db8:1:2::1')).toBe(bucket);
    expect(addressBucket('2001:DB8:1:2:ffff:eeee:dddd:cccc')).toBe(bucket);
    expect(addressBucket('2001:0db8:0001:0002:0000:0000:0000:0009')).toBe(bucket);
    expect(addressBucket('2001:db8:1:2::1%eth0')).toBe(bucket);
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(addressBucket('2001:db8::1')).toBe('2001:0db8:0000:0000::/64');
    expect(addressBucket('::1')).toBe('0000:0000:0000:0000::/64');
  });
});
