import { AppError, ErrorCode } from '@consilium/errors';
import type { Ciphertext, Decryptor, Plaintext } from 'node-seal';
import type { ContextInternals } from './context.ts';
import { nttOfSmallPolynomial } from './ntt.ts';
import type { NttInternals } from './ntt.ts';
import { callSeal, sealBytes, SealScope } from './seal-call.ts';
import { buildCiphertext, buildPlaintext, CIPHERTEXT_POLYS } from './serialization.ts';

/**
 * Complex packing: two real values per CKKS slot, N per ciphertext instead of N/2.
 *
 * CKKS slots hold complex numbers, but SEAL's encoder (as node-seal exposes it) takes real vectors
 * only. The slots are the values of the plaintext polynomial at the roots ζ_j = ω^(5^j) (ω a
 * primitive 2N-th root of unity, 5^j ≡ 1 mod 4), so the monomial X^(N/2) evaluates to
 * ζ_j^(N/2) = i^(5^j) = i in every slot: multiplying by it multiplies every slot by i. Hence
 *
 *   P = encode(a) + X^(N/2)·encode(b)   carries a_j + i·b_j in slot j,
 *   Re decode(P) = a,   Re decode(X^(N/2)·P) = Re(i·(a + i·b)) = −b.
 *
 * SEAL has no plaintext-by-monomial product, but a decryption is one: decrypting (c0, c1) with the
 * "secret key" X^(N/2) (in NTT form) yields c0 + c1·X^(N/2), exactly. A constant ciphertext
 * `lift` = (0, 1) turns a plaintext p into (0, p) by multiplyPlain, and addPlain puts a second
 * plaintext into c0. Everything stays inside SEAL, in NTT form, with no rounding beyond the two
 * encodings'.
 *
 * Bounds: a packed slot has modulus up to √2·max(|a|, |b|), so plaintext coefficients reach
 * √2·max|value|·Δ; scale.ts's headroom covers that. The noise of each decoded real value is that
 * of a real part of a slot, the same as without packing.
 */

/** SEAL objects of the packing, made once per context. */
export interface PackingObjects {
  /** (0, 1) at the data level, NTT form, scale 1. */
  readonly lift: Ciphertext;
  /** A decryptor whose key is X^(N/2): decrypt((c0, c1)) = c0 + c1·X^(N/2). */
  readonly timesI: Decryptor;
}

/** Creates the packing objects; they are added to `owned` and live as long as the context. */
export function createPackingObjects(internals: NttInternals, owned: SealScope): PackingObjects {
  const { seal, context, dataLevel, keyLevel } = internals;
  const n = keyLevel.polyModulusDegree;
  const monomial = new Float64Array(n);
  monomial[n / 2] = 1;
  const keyBytes = buildPlaintext(keyLevel, 1, nttOfSmallPolynomial(internals, 'key', monomial));
  const liftWords = new Uint32Array(2 * CIPHERTEXT_POLYS * dataLevel.primes.length * n);
  // The constant polynomial 1 is 1 at every root: its NTT form is all ones.
  for (let k = dataLevel.primes.length * n; k < CIPHERTEXT_POLYS * dataLevel.primes.length * n; k++) liftWords[2 * k] = 1;
  const liftBytes = buildCiphertext(dataLevel, { nttForm: true, scale: 1 }, liftWords);
  const scope = new SealScope();
  try {
    const key = scope.add(new seal.SecretKey());
    callSeal(ErrorCode.INTERNAL, 'Loading the packing monomial', () => key.loadFromArray(context, sealBytes(keyBytes)));
    const timesI = owned.add(new seal.Decryptor(context, key));
    const lift = owned.add(new seal.Ciphertext());
    callSeal(ErrorCode.INTERNAL, 'Loading the packing lift', () => lift.loadFromArray(context, sealBytes(liftBytes)));
    return { lift, timesI };
  } finally {
    scope.dispose();
  }
}

/** Encodes and decodes packed plaintexts with scratch objects of its own. */
export interface PackedCodec {
  /**
   * Encodes up to N values at `scale`: values [0, N/2) as real parts, [N/2, N) as imaginary parts
   * (missing ones are zero). The result is owned by the codec and valid until its next call.
   */
  encode(values: Float64Array, scale: number): Plaintext;
  /** The N values a packed plaintext carries. */
  decode(plaintext: Plaintext): Float64Array;
  dispose(): void;
}

/** A codec for `internals`; dispose it (it owns SEAL scratch objects). */
export function createPackedCodec(internals: ContextInternals): PackedCodec {
  const { seal, encoder, evaluator, lift, timesI } = internals;
  const half = encoder.slotCount();
  const scope = new SealScope();
  const real = scope.add(new seal.Plaintext());
  const imaginary = scope.add(new seal.Plaintext());
  const packed = scope.add(new seal.Plaintext());
  const lifted = scope.add(new seal.Ciphertext());
  const realHalf = new Float64Array(half);
  const imaginaryHalf = new Float64Array(half);

  /** out ← X^(N/2)·plaintext (every slot times i); false when plaintext is zero, which SEAL cannot lift. */
  function multiplyByI(plaintext: Plaintext, out: Plaintext, addToC0?: Plaintext): boolean {
    if (plaintext.isZero()) return false;
    callSeal(ErrorCode.INTERNAL, 'Lifting a plaintext', () => evaluator.multiplyPlain(lift, plaintext, lifted));
    if (addToC0 !== undefined) callSeal(ErrorCode.INTERNAL, 'Adding the real part', () => evaluator.addPlainInplace(lifted, addToC0));
    callSeal(ErrorCode.INTERNAL, 'Multiplying by X^(N/2)', () => timesI.decrypt(lifted, out));
    return true;
  }

  function encodeHalf(values: Float64Array, buffer: Float64Array, scale: number, out: Plaintext): void {
    let input = values;
    if (values.length < half) {
      buffer.fill(0);
      buffer.set(values);
      input = buffer;
    }
    callSeal(ErrorCode.ENCODING_RANGE, 'Encoding values', () => encoder.encode(input, scale, out));
  }

  function decodeReal(plaintext: Plaintext): Float64Array {
    const values = callSeal(ErrorCode.INTERNAL, 'Decoding', (): unknown => encoder.decodeFloat64(plaintext));
    if (!(values instanceof Float64Array)) throw new AppError(ErrorCode.INTERNAL, 'SEAL decoded no Float64Array');
    return values;
  }

  return {
    encode(values, scale) {
      if (values.length > 2 * half) throw new AppError(ErrorCode.INTERNAL, `packed encoder got ${values.length} values, at most ${2 * half} fit`);
      encodeHalf(values.subarray(0, half), realHalf, scale, real);
      if (values.length <= half) return real;
      encodeHalf(values.subarray(half), imaginaryHalf, scale, imaginary);
      // P = real + X^(N/2)·imaginary, computed as the "decryption" of (real, imaginary) under X^(N/2).
      return multiplyByI(imaginary, packed, real) ? packed : real;
    },
    decode(plaintext) {
      const out = new Float64Array(2 * half);
      out.set(decodeReal(plaintext));
      if (multiplyByI(plaintext, packed)) {
        const negated = decodeReal(packed);
        for (let k = 0; k < half; k++) out[half + k] = -negated[k]!;
      }
      return out;
    },
    dispose() {
      scope.dispose();
    },
  };
}
