import { describe, expect, it } from 'vitest';
import { allocateAligned, asBigUint64, u64Words, writableU64Words } from './words.ts';

describe('u64Words', () => {
  const bytes = new Uint8Array(8 * 3 + 5);
  new DataView(bytes.buffer).setBigUint64(5, 0x1122334455667788n, true);
  new DataView(bytes.buffer).setBigUint64(13, 42n, true);

  it('copies an unaligned region and reads little-endian u64s', () => {
    const words = u64Words(bytes, 5, 2);
    expect(words.buffer).not.toBe(bytes.buffer);
    expect(Array.from(asBigUint64(words))).toEqual([0x1122334455667788n, 42n]);
    expect(words[0]).toBe(0x55667788);
  });

  it('views an aligned region without copying', () => {
    const aligned = bytes.subarray(5);
    expect(aligned.byteOffset % 8).not.toBe(0);
    const copy = new Uint8Array(24);
    copy.set(aligned.subarray(0, 24));
    expect(u64Words(copy, 8, 1).buffer).toBe(copy.buffer);
  });
});

describe('allocateAligned', () => {
  it('puts the requested offset on an 8-byte boundary and allows a writable view there', () => {
    for (const offset of [0, 80, 88, 113]) {
      const bytes = allocateAligned(offset + 16, offset);
      expect((bytes.byteOffset + offset) % 8).toBe(0);
      expect(bytes.length).toBe(offset + 16);
      writableU64Words(bytes, offset, 2).set([1, 0, 2, 0]);
      expect(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(offset + 8, true)).toBe(2n);
    }
    expect(() => writableU64Words(allocateAligned(200, 113), 112, 1)).toThrow(/not aligned/);
  });
});
