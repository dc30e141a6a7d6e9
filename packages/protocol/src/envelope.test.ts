import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeHead, envelopeContentType, partLengthPrefix } from './envelope.ts';
import type { EnvelopeLimits } from './envelope.ts';
import { catchAppError } from './test-utils.ts';

const MiB = 1024 * 1024;
const limits: EnvelopeLimits = { maxHeaderBytes: 64 * 1024, maxParts: 1024, maxPartBytes: 16 * MiB, maxTotalBytes: 64 * MiB };

/** Builds raw envelope bytes field by field, to describe inputs the encoder would never produce. */
function raw(...fields: (number[] | Uint8Array | string | { u32: number })[]): Uint8Array {
  const chunks = fields.map((field) => {
    if (typeof field === 'string') return Buffer.from(field, 'utf8');
    if (field instanceof Uint8Array || Array.isArray(field)) return Buffer.from(field);
    const u32 = Buffer.alloc(4);
    u32.writeUInt32LE(field.u32);
    return u32;
  });
  return new Uint8Array(Buffer.concat(chunks));
}

const CSLM_V1 = [0x43, 0x53, 0x4c, 0x4d, 1];

describe('envelope round trip', () => {
  const cases: Record<string, Uint8Array[]> = {
    'no parts': [],
    'one part': [Uint8Array.from([1, 2, 3])],
    'many parts': Array.from({ length: 200 }, (_, i) => new Uint8Array(randomBytes(i))),
    'empty parts': [new Uint8Array(0), Uint8Array.from([7]), new Uint8Array(0)],
    'a large part': [new Uint8Array(randomBytes(12 * MiB))],
  };
  for (const [name, parts] of Object.entries(cases)) {
    it(name, () => {
      const header = { kind: 'submission', roundIndex: 3, note: 'Zürich — ✓' };
      const encoded = encodeEnvelope(header, parts);
      const decoded = decodeEnvelope(encoded, limits);
      expect(decoded.header).toEqual(header);
      expect(decoded.parts).toHaveLength(parts.length);
      decoded.parts.forEach((part, i) => {
        expect(Buffer.from(part).equals(parts[i]!)).toBe(true);
        // Views into the input, not copies.
        expect(part.buffer).toBe(encoded.buffer);
      });
    });
  }

  it('produces exactly the documented layout', () => {
    const encoded = encodeEnvelope({ a: 1 }, [Uint8Array.from([0xaa, 0xbb]), new Uint8Array(0)]);
    expect(encoded).toEqual(raw(CSLM_V1, { u32: 7 }, '{"a":1}', { u32: 2 }, { u32: 2 }, [0xaa, 0xbb], { u32: 0 }));
    // A buffer of its own, so sending `encoded.buffer` sends only the envelope.
    expect(encoded.byteOffset).toBe(0);
    expect(encoded.buffer.byteLength).toBe(encoded.byteLength);
  });

  it('decodes an envelope that sits at an offset inside a larger buffer', () => {
    const encoded = encodeEnvelope({ at: 'offset' }, [Uint8Array.from([1, 2, 3, 4, 5])]);
    const backing = new Uint8Array(encoded.byteLength + 11);
    backing.set(encoded, 7);
    const decoded = decodeEnvelope(backing.subarray(7, 7 + encoded.byteLength), limits);
    expect(decoded.header).toEqual({ at: 'offset' });
    expect(Array.from(decoded.parts[0]!)).toEqual([1, 2, 3, 4, 5]);
  });

  it('declares its content type', () => {
    expect(envelopeContentType).toBe('application/x-consilium-envelope');
  });
});

describe('encodeEnvelope', () => {
  it('refuses headers that do not serialise to JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(catchAppError(() => encodeEnvelope(cyclic, []), ErrorCode.INVALID_INPUT).message).toMatch(/not JSON-serialisable/);
    catchAppError(() => encodeEnvelope({ big: 1n }, []), ErrorCode.INVALID_INPUT);
    catchAppError(() => encodeEnvelope(() => 1, []), ErrorCode.INVALID_INPUT);
  });
});

describe('decodeEnvelope rejects', () => {
  const valid = encodeEnvelope({ ok: true }, [Uint8Array.from([1, 2, 3]), Uint8Array.from([4])]);

  function rejects(bytes: Uint8Array, code: ErrorCode, message: RegExp, offset?: number, custom: EnvelopeLimits = limits): void {
    const error = catchAppError(() => decodeEnvelope(bytes, custom), code);
    expect(error.message).toMatch(message);
    if (offset !== undefined) expect(error.details).toMatchObject({ offset });
  }

  it('every truncation of a valid envelope', () => {
    for (let length = 0; length < valid.length; length += 1) {
      rejects(valid.subarray(0, length), ErrorCode.INVALID_INPUT, /truncated/);
    }
    rejects(new Uint8Array(0), ErrorCode.INVALID_INPUT, /the magic and version needs 5 bytes at byte 0, but only 0 remain/);
    // Cut inside the only part: 5 + 4 + 11 ({"ok":true}) + 4 + 4 = 28 bytes precede it.
    const single = encodeEnvelope({ ok: true }, [Uint8Array.from([1, 2, 3])]);
    rejects(single.subarray(0, 29), ErrorCode.INVALID_INPUT, /part 0 needs 3 bytes at byte 28, but only 1 remain/, 28);
  });

  it('trailing bytes, saying where they start', () => {
    const padded = raw(valid, [0]);
    rejects(padded, ErrorCode.INVALID_INPUT, new RegExp(`1 trailing bytes after the last part, starting at byte ${valid.length}`), valid.length);
  });

  it('the wrong magic, such as a JSON body', () => {
    rejects(raw('{"values":[1,2]}'), ErrorCode.INVALID_INPUT, /expected magic "CSLM" \(43534c4d\) at byte 0, found 7b227661/, 0);
  });

  it('an unknown version', () => {
    rejects(raw([0x43, 0x53, 0x4c, 0x4d, 2], { u32: 2 }, '{}', { u32: 0 }), ErrorCode.INVALID_INPUT, /version 2 at byte 4; this build reads version 1/, 4);
  });

  it('a header length beyond the buffer or the limit', () => {
    rejects(raw(CSLM_V1, { u32: 100 }, '{}', { u32: 0 }), ErrorCode.INVALID_INPUT, /the header needs 100 bytes at byte 9, but only 6 remain/, 9);
    rejects(raw(CSLM_V1, { u32: 0xffffffff }), ErrorCode.PAYLOAD_TOO_LARGE, /header length at byte 5 is 4294967295 bytes; the limit is 65536/, 5);
  });

  it('headers that are not UTF-8 JSON', () => {
    rejects(raw(CSLM_V1, { u32: 2 }, [0xc3, 0x28], { u32: 0 }), ErrorCode.INVALID_INPUT, /the 2-byte header at byte 9 is not valid UTF-8/, 9);
    rejects(raw(CSLM_V1, { u32: 5 }, [0xef, 0xbb, 0xbf], '{}', { u32: 0 }), ErrorCode.INVALID_INPUT, /header at byte 9 is not valid JSON/);
    rejects(raw(CSLM_V1, { u32: 3 }, '{x}', { u32: 0 }), ErrorCode.INVALID_INPUT, /the 3-byte header at byte 9 is not valid JSON/);
    rejects(raw(CSLM_V1, { u32: 0 }, { u32: 0 }), ErrorCode.INVALID_INPUT, /the 0-byte header at byte 9 is not valid JSON/);
  });

  it('too many parts, or more than the remaining bytes could hold', () => {
    rejects(raw(CSLM_V1, { u32: 2 }, '{}', { u32: 5000 }), ErrorCode.PAYLOAD_TOO_LARGE, /declares 5000 parts at byte 11; the limit is 1024/, 11);
    rejects(raw(CSLM_V1, { u32: 2 }, '{}', { u32: 3 }, { u32: 0 }), ErrorCode.INVALID_INPUT, /3 parts declared at byte 11 need at least 12 bytes, but only 4 remain/);
  });

  it('a part beyond the buffer or the limit', () => {
    const small = { ...limits, maxPartBytes: 8 };
    rejects(raw(CSLM_V1, { u32: 2 }, '{}', { u32: 1 }, { u32: 9 }, new Uint8Array(9)), ErrorCode.PAYLOAD_TOO_LARGE, /part 0 declares 9 bytes at byte 15; the limit is 8/, 15, small);
    rejects(raw(CSLM_V1, { u32: 2 }, '{}', { u32: 1 }, { u32: 0xfffffff0 }), ErrorCode.PAYLOAD_TOO_LARGE, /part 0 declares/, 15);
    rejects(raw(CSLM_V1, { u32: 2 }, '{}', { u32: 1 }, { u32: 8 }, [1]), ErrorCode.INVALID_INPUT, /part 0 needs 8 bytes at byte 19, but only 1 remain/, 19, small);
  });

  it('an envelope larger than maxTotalBytes before reading it', () => {
    rejects(valid, ErrorCode.PAYLOAD_TOO_LARGE, new RegExp(`Envelope is ${valid.length} bytes; the limit is 10`), 0, { ...limits, maxTotalBytes: 10 });
  });

  it('limits that would switch the checks off, as the caller’s bug', () => {
    rejects(valid, ErrorCode.INTERNAL, /maxParts must be a non-negative integer, got NaN/, undefined, { ...limits, maxParts: Number.NaN });
    rejects(valid, ErrorCode.INTERNAL, /maxHeaderBytes/, undefined, { ...limits, maxHeaderBytes: -1 });
  });
});

describe('streamed envelopes', () => {
  it('head + (length prefix, part)… is byte for byte what encodeEnvelope writes', () => {
    const header = { kind: 'submission', n: 3 };
    const parts = [Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.of(9)];
    const streamed = Buffer.concat([encodeEnvelopeHead(header, parts.length), ...parts.flatMap((p) => [partLengthPrefix(p.byteLength), p])]);
    expect(new Uint8Array(streamed)).toEqual(encodeEnvelope(header, parts));
  });
});
