import { AppError, ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './envelope.ts';
import type { DecodedEnvelope, EnvelopeLimits } from './envelope.ts';

/**
 * Property: whatever bytes reach the hub, decodeEnvelope either returns parts that exactly tile
 * the input or throws an AppError (INVALID_INPUT / PAYLOAD_TOO_LARGE) — never a RangeError from a
 * DataView, a SyntaxError, or a hang. Inputs are valid envelopes damaged by random mutations, from
 * a seeded generator so that a failure names a reproducible seed.
 */

type Random = () => number;

/** mulberry32: a small, well-mixed 32-bit PRNG — enough for test inputs, and replayable. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const int = (random: Random, below: number): number => Math.floor(random() * below);

function bytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => int(random, 256));
}

/** Characters of 1 to 4 UTF-8 bytes, so mutations land inside multi-byte sequences too. */
const TEXT = ['a', 'Z', '"', '\\', '{', 'é', 'ß', '—', '✓', '😀'];

function envelope(random: Random): Uint8Array {
  const note = Array.from({ length: int(random, 100) }, () => TEXT[int(random, TEXT.length)]).join('');
  const header = { kind: 'submission', round: int(random, 1000), note, weights: [random(), -random()] };
  const parts = Array.from({ length: int(random, 6) }, () => bytes(random, int(random, 40)));
  return encodeEnvelope(header, parts);
}

/** Values that sit on the edges of the length checks. */
const EDGE_U32 = [0, 1, 3, 4, 8, 47, 48, 49, 255, 256, 257, 0x7fffffff, 0xfffffffc, 0xffffffff];

function mutate(input: Uint8Array, random: Random): Uint8Array {
  let out = Buffer.from(input);
  const at = (): number => int(random, out.length + 1);
  const mutations = 1 + int(random, 3);
  for (let i = 0; i < mutations; i += 1) {
    switch (int(random, 7)) {
      case 0:
        out = out.subarray(0, at());
        break;
      case 1:
        if (out.length > 0) {
          const position = int(random, out.length);
          out.writeUInt8(out.readUInt8(position) ^ (1 << int(random, 8)), position);
        }
        break;
      case 2:
        if (out.length > 0) out.writeUInt8(int(random, 256), int(random, out.length));
        break;
      case 3: {
        const position = at();
        out = Buffer.concat([out.subarray(0, position), bytes(random, 1 + int(random, 8)), out.subarray(position)]);
        break;
      }
      case 4: {
        const start = at();
        out = Buffer.concat([out.subarray(0, start), out.subarray(start + 1 + int(random, 8))]);
        break;
      }
      case 5:
        out = Buffer.concat([out, bytes(random, 1 + int(random, 8))]);
        break;
      default: {
        // Rewrite a length field — the header length at byte 5, the part count after the header — or any 4 bytes.
        if (out.length < 9) break;
        const candidates = [5, 9 + out.readUInt32LE(5), int(random, out.length - 3)];
        const position = candidates[int(random, candidates.length)]!;
        if (position + 4 <= out.length) out.writeUInt32LE(EDGE_U32[int(random, EDGE_U32.length)]!, position);
      }
    }
  }
  // Decode from a view at an odd offset in a larger buffer, as a pooled request body would be.
  const backing = new Uint8Array(out.length + 3);
  backing.set(out, 1);
  return backing.subarray(1, 1 + out.length);
}

const limits: EnvelopeLimits = { maxHeaderBytes: 256, maxParts: 4, maxPartBytes: 32, maxTotalBytes: 384 };
const SEED = 0x5eed_c51a;
const RUNS = 5000;

describe('decodeEnvelope on damaged input', () => {
  it(`only ever returns a consistent envelope or throws an AppError (${RUNS} runs, seed ${SEED})`, () => {
    const outcomes = new Map<string, number>();
    for (let run = 0; run < RUNS; run += 1) {
      const random = seeded(SEED + run);
      const input = mutate(envelope(random), random);
      const seed = `seed ${SEED + run}`;
      let decoded: DecodedEnvelope;
      try {
        decoded = decodeEnvelope(input, limits);
      } catch (error) {
        if (!(error instanceof AppError)) throw new Error(`${seed}: threw a non-AppError: ${String(error)}`, { cause: error });
        expect([ErrorCode.INVALID_INPUT, ErrorCode.PAYLOAD_TOO_LARGE], `${seed}: ${error.message}`).toContain(error.code);
        outcomes.set(error.code, (outcomes.get(error.code) ?? 0) + 1);
        continue;
      }
      // Accepted: within the limits, and the parts are views of the input that, with their length
      // fields, end exactly where the input ends.
      const headerLength = Buffer.from(input.subarray(5, 9)).readUInt32LE();
      expect(headerLength, seed).toBeLessThanOrEqual(limits.maxHeaderBytes);
      expect(decoded.parts.length, seed).toBeLessThanOrEqual(limits.maxParts);
      let offset = input.byteOffset + 9 + headerLength + 4;
      for (const part of decoded.parts) {
        offset += 4;
        expect(part.byteLength, seed).toBeLessThanOrEqual(limits.maxPartBytes);
        expect(part.buffer, seed).toBe(input.buffer);
        expect(part.byteOffset, seed).toBe(offset);
        offset += part.byteLength;
      }
      expect(offset, seed).toBe(input.byteOffset + input.byteLength);
      outcomes.set('decoded', (outcomes.get('decoded') ?? 0) + 1);
    }
    // Guard against a vacuous run: every outcome must actually have been exercised.
    expect(outcomes.get('decoded')).toBeGreaterThan(50);
    expect(outcomes.get(ErrorCode.INVALID_INPUT)).toBeGreaterThan(RUNS / 4);
    expect(outcomes.get(ErrorCode.PAYLOAD_TOO_LARGE)).toBeGreaterThan(50);
  });

  it('decodes every undamaged envelope to what was encoded', () => {
    for (let run = 0; run < 500; run += 1) {
      const random = seeded(SEED - run);
      const parts = Array.from({ length: int(random, 5) }, () => bytes(random, int(random, 32)));
      const header = { run, text: Array.from({ length: int(random, 20) }, () => TEXT[int(random, TEXT.length)]).join('') };
      const decoded = decodeEnvelope(encodeEnvelope(header, parts), limits);
      expect(decoded.header).toEqual(header);
      expect(decoded.parts.map((part) => Array.from(part))).toEqual(parts.map((part) => Array.from(part)));
    }
  });
});
