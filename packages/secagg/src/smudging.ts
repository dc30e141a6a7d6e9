import { ErrorCode } from '@consilium/errors';
import type { ContextInternals } from './context.ts';
import { sampleDiscreteGaussian } from './noise.ts';
import { writeSignedResidues } from './rns.ts';
import { callSeal, saveUncompressed, sealBytes, SealScope } from './seal-call.ts';
import { buildCiphertext, CIPHERTEXT_LAYOUT, CIPHERTEXT_POLYS } from './serialization.ts';
import { u64Words } from './words.ts';

/**
 * Smudging noise for partial decryptions: fresh discrete Gaussian polynomials e (σ =
 * 2^smudgingSigmaBits), delivered in NTT form at the data level.
 *
 * The transform is SEAL's, through a crafted coefficient-form ciphertext (see ntt.ts). SEAL
 * transforms both of a ciphertext's polynomials, so both carry independent noise: one transform
 * serves two partial decryptions, the second kept until the next call. Noise is secret (with it,
 * c1·λS follows from a decryption share), so every buffer is wiped once used.
 */
export interface SmudgingNoise {
  /** Writes a fresh NTT-form noise polynomial (prime × N words) into `out`. */
  fill(out: Uint32Array): void;
  dispose(): void;
}

/** A noise source for one partial decryptor; dispose it with the decryptor. */
export function createSmudgingNoise(internals: ContextInternals, sigma: number): SmudgingNoise {
  const { seal, context, evaluator, dataLevel } = internals;
  const n = dataLevel.polyModulusDegree;
  const count = dataLevel.primes.length * n;
  const scope = new SealScope();
  const ciphertext = scope.add(new seal.Ciphertext());
  let spare: Uint32Array | undefined;

  function transformPair(): Uint32Array {
    const samples = sampleDiscreteGaussian(CIPHERTEXT_POLYS * n, sigma);
    const words = new Uint32Array(2 * CIPHERTEXT_POLYS * count);
    writeSignedResidues(words, 0, samples.subarray(0, n), dataLevel.primes);
    writeSignedResidues(words, count, samples.subarray(n), dataLevel.primes);
    samples.fill(0);
    const crafted = buildCiphertext(dataLevel, { nttForm: false, scale: 1 }, words);
    words.fill(0);
    try {
      callSeal(ErrorCode.INTERNAL, 'Loading smudging noise', () => ciphertext.loadFromArray(context, sealBytes(crafted)));
      callSeal(ErrorCode.INTERNAL, 'Transforming smudging noise to NTT form', () => evaluator.cipherTransformToNttInplace(ciphertext));
      const transformed = saveUncompressed(seal, ciphertext);
      try {
        return u64Words(transformed, CIPHERTEXT_LAYOUT.data, CIPHERTEXT_POLYS * count).slice();
      } finally {
        transformed.fill(0);
      }
    } finally {
      crafted.fill(0);
    }
  }

  return {
    fill(out) {
      if (spare !== undefined) {
        out.set(spare);
        spare.fill(0);
        spare = undefined;
        return;
      }
      const pair = transformPair();
      out.set(pair.subarray(0, 2 * count));
      pair.subarray(0, 2 * count).fill(0);
      spare = pair.subarray(2 * count);
    },
    dispose() {
      spare?.fill(0);
      spare = undefined;
      scope.dispose();
    },
  };
}
