import { randomInt } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFuzzWorld, FUZZ_SCALE_BITS, FUZZ_TARGET_IDS, inputsFor, judge, mustRefuse } from '../scripts/fuzz.ts';
import type { FuzzInput, FuzzTarget, FuzzWorld } from '../scripts/fuzz.ts';
import { expectAppError } from '../test/support.ts';
import { internalsOf } from './context.ts';
import { callSeal } from './seal-call.ts';
import { sealHeapBytes } from './seal-module.ts';
import { expandCiphertext } from './wire-format.ts';

/**
 * Property tests of every parser and validator that hub or agent applies to bytes it received (or
 * stored): whatever arrives, the answer is acceptance or an AppError with the expected code whose
 * message names the object and the bad field, never another exception; valid objects are accepted;
 * and rejected input leaves nothing behind in SEAL's WebAssembly heap. The generators and the
 * judgement are scripts/fuzz.ts's, whose campaign runs the same properties at scale.
 *
 * The seed changes every run, so CI keeps exploring; a failure prints it, and
 *   npm run fuzz -w @consilium/secagg -- --seed <seed> --target <id> --path <path>
 * replays the input with its full error.
 */

const SEED = randomInt(2 ** 31);
let world: FuzzWorld;

beforeAll(async () => {
  world = await createFuzzWorld(SEED);
  // The first loads of each object size grow SEAL's memory pool once; leaks are what comes after.
  for (const target of world.targets) for (let i = 0; i < 3; i++) target.run(target.valid);
}, 30_000);
afterAll(() => world?.dispose());

function target(id: string): FuzzTarget {
  const found = world.targets.find((t) => t.id === id);
  if (found === undefined) throw new Error(`no fuzz target ${id}`);
  return found;
}

/** The inputs for `t`, at every alignment, half of them in Node Buffers viewing a larger allocation. */
const inputs = (t: FuzzTarget): fc.Arbitrary<FuzzInput> => inputsFor(t, world, { buffers: true });

describe('every hub and agent reader against random, mutated, truncated, oversized and foreign bytes', () => {
  it('covers every target', () => {
    expect(world.targets.map((t) => t.id)).toEqual([...FUZZ_TARGET_IDS]);
  });

  it.each(FUZZ_TARGET_IDS)('%s: accepts what is valid, rejects the rest by field, and only with AppErrors', (id) => {
    const t = target(id);
    const heapBefore = sealHeapBytes();
    fc.assert(
      fc.property(inputs(t), (input) => {
        judge(t, input);
      }),
      { numRuns: 500, seed: SEED },
    );
    expect(sealHeapBytes()).toBe(heapBefore);
  });

  it('every valid object of every kind and parameter set, fed to every reader, is refused unless it is that reader’s kind', () => {
    let accepted = 0;
    for (const t of world.targets) {
      for (const specimen of world.specimens) {
        const refuse = mustRefuse(t, specimen);
        const outcome = judge(t, { generator: specimen.name, bytes: specimen.bytes, expect: { verdict: refuse ? 'reject' : 'accept' } });
        if (outcome.accepted) accepted++;
      }
    }
    // Each target's own specimen, plus the ciphertexts of parameters that share the data prime (same
    // parms_id: indistinguishable by design) and the aggregate at another scale.
    expect(accepted).toBeGreaterThanOrEqual(world.targets.length);
  });

  it('values that are not byte arrays are INVALID_INPUT AppErrors naming the object, never TypeErrors', () => {
    const notBytes: unknown[] = [undefined, null, 0, 'CSAG', [0x5e, 0xa1], {}, { length: 200 }, new ArrayBuffer(200), new Uint16Array(100), new Uint8ClampedArray(200)];
    for (const t of world.targets) {
      fc.assert(
        fc.property(fc.oneof(fc.constantFrom(...notBytes), fc.anything()), (value) => {
          let thrown: unknown;
          try {
            t.run(value as Uint8Array);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(AppError);
          expect((thrown as AppError).code).toBe(ErrorCode.INVALID_INPUT);
          expect((thrown as AppError).message).toContain(t.what);
        }),
        { numRuns: 50, seed: SEED },
      );
    }
  });
});

describe("SEAL's heap across thousands of inputs", () => {
  // The aggregate reader's heap is checked by its property above; a decryption per input is too slow for thousands here.
  it.each(['ciphertext', 'public-key'] as const)('%s: does not grow, though a leaked object per load would outgrow it', (id) => {
    const t = target(id);
    const heapBefore = sealHeapBytes() ?? 0;
    let accepted = 0;
    // Half valid inputs, so that SEAL loads (and a leak on its success path) are frequent.
    const input = fc.oneof(inputs(t), fc.constant<FuzzInput>({ generator: 'valid', bytes: t.valid, expect: { verdict: 'accept' } }));
    fc.assert(
      fc.property(input, (value) => {
        if (judge(t, value).accepted) accepted++;
      }),
      { numRuns: 1500, seed: SEED },
    );
    expect(sealHeapBytes()).toBe(heapBefore);
    // Had each loaded object leaked, the leaked bytes alone would exceed the heap: it would have grown.
    expect(accepted * t.valid.length).toBeGreaterThan(heapBefore);
  });

  it('the check is sensitive: leaking one SEAL ciphertext per loaded input grows the heap', () => {
    const { seal, context } = internalsOf(world.ctx);
    const t = target('ciphertext');
    const heapBefore = sealHeapBytes() ?? 0;
    const leaked = Array.from({ length: Math.ceil((1.2 * heapBefore) / t.valid.length) }, () => {
      const ciphertext = new seal.Ciphertext();
      ciphertext.loadFromArray(context, t.valid);
      return ciphertext;
    });
    expect(sealHeapBytes()).toBeGreaterThan(heapBefore);
    for (const ciphertext of leaked) ciphertext.delete();
  });
});

describe('bytes in a Node Buffer (what fs, streams and most Node APIs hand over)', () => {
  /**
   * `bytes` in a Buffer viewing byte `shift` of a larger allocation whose other bytes are 0xff, so a
   * reader that looks past its view (at the Buffer's .buffer) sees garbage.
   */
  function inBuffer(bytes: Uint8Array, shift: number, slack = 2): Buffer {
    const view = Buffer.from(new ArrayBuffer(bytes.length + shift + slack), shift, bytes.length);
    new Uint8Array(view.buffer).fill(0xff);
    view.set(bytes);
    return view;
  }

  // Shifts of 1 and 4 misalign the view; slack 2 leaves a backing store whose length is not a
  // multiple of 4, slack 4 (at shift 4) one that is.
  const placements = [
    [0, 2],
    [1, 2],
    [4, 2],
    [4, 4],
  ] as const;

  it.each(FUZZ_TARGET_IDS)('%s: valid bytes are accepted at any offset', (id) => {
    const t = target(id);
    for (const [shift, slack] of placements) t.run(inBuffer(t.valid, shift, slack));
  });

  /*
   * node-seal's loadFromArray throws std::invalid_argument "expected Uint8Array" for any subclass,
   * Node's Buffer included: every reader that ends with SEAL's own load hands it a plain view
   * (seal-call.ts sealBytes).
   */
  it('validateCiphertext and validatePublicKey accept valid bytes in a Buffer, and SEAL itself refuses one', () => {
    for (const id of ['ciphertext', 'public-key']) {
      for (const [shift, slack] of placements) expect(() => target(id).run(inBuffer(target(id).valid, shift, slack))).not.toThrow();
    }
    // What the readers guard against: without the plain view, SEAL refuses the Buffer.
    const { seal, context } = internalsOf(world.ctx);
    const ciphertext = new seal.Ciphertext();
    try {
      const buffer = inBuffer(target('ciphertext').valid, 0);
      expectAppError(() => callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading a Buffer', () => ciphertext.loadFromArray(context, buffer)), ErrorCode.INVALID_CIPHERTEXT, /expected Uint8Array/);
    } finally {
      ciphertext.delete();
    }
  });

  /*
   * expandCiphertext used to take the packed words as `new Uint32Array(wire.slice(8).buffer)`. On a
   * Buffer, slice() is a view, so .buffer was the whole backing store: the reader decoded the wrong
   * bytes (accepting coefficients above their prime, misnaming the bad one) or threw a RangeError
   * when the store's length was not a multiple of 4. It now copies exactly the viewed region.
   */
  it('expandCiphertext reads a Buffer as the bytes it views', () => {
    const t = target('wire-ciphertext');
    const expected = expandCiphertext(world.ctx, t.valid, { scaleBits: FUZZ_SCALE_BITS });
    for (const [shift, slack] of placements) {
      const rebuilt = expandCiphertext(world.ctx, inBuffer(t.valid, shift, slack), { scaleBits: FUZZ_SCALE_BITS });
      expect(Buffer.from(rebuilt).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('expandCiphertext refuses what is not a Uint8Array as INVALID_INPUT, saying what it got', () => {
    const t = target('wire-ciphertext');
    // A Uint16Array of the right byte length whose first elements spell the header.
    const elements = new Uint16Array(t.valid.length / 2);
    elements.set(t.valid.subarray(0, 8));
    for (const [value, got] of [
      [undefined, 'undefined'],
      [null, 'null'],
      [elements, 'a Uint16Array'],
      [new DataView(t.valid.buffer, t.valid.byteOffset, t.valid.byteLength), 'a DataView'],
      [[...t.valid], 'object'],
    ] as const) {
      expectAppError(() => t.run(value as unknown as Uint8Array), ErrorCode.INVALID_INPUT, new RegExp(`^ciphertext: expected a Uint8Array in the wire format, got ${got}$`));
    }
  });
});
