import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, maxAbsDifference, randomVector, runCeremony } from '../test/support.ts';
import { addCiphertexts, validateCiphertext } from './aggregation.ts';
import { createCkksContext } from './context.ts';
import type { CkksContext } from './context.ts';
import { addDecryptionShares, decodeChunks, validateDecryptionShare } from './decryption.ts';
import { encryptVectorChunks } from './encryption.ts';
import { validatePublicKey, validatePublicKeyShare } from './key-ceremony.ts';
import { createPartialDecryptor } from './partial-decryptor.ts';
import { chooseScaleBits, chunkCount } from './scale.ts';

/** Largest |x| a site submits (the studies' default maxAbsParameter). */
const MAX_ABS_PARAMETER = 64;

/**
 * One weighted FedAvg round as the platform runs it: key ceremony with threshold dealing, each site
 * streams its encrypted w_i·x_i (weight in a spare value) and the hub validates and adds chunks as
 * they arrive, `threshold` committee members (the last ones) partially decrypt every chunk, the hub
 * validates and adds the shares, decodes, and divides by Σ w_i.
 *
 * The weight slot carries MAX_ABS_PARAMETER·w_i, not w_i: the division multiplies the weight
 * slot's relative error by |average| (up to 64), and w_i alone would use 1/64 of the slot's range,
 * turning ~1e-7 of noise into ~5e-6 of error. Scaled to the full bound, its error no longer matters.
 */
function weightedAverageRound(
  ctx: CkksContext,
  sites: number,
  length: number,
  threshold = sites,
): { average: Float64Array; expected: Float64Array; weightSum: number } {
  const ceremony = runCeremony(ctx, sites, threshold);
  ceremony.publicKeyShares.forEach((share) => validatePublicKeyShare(ctx, share));
  validatePublicKey(ctx, ceremony.publicKey);

  const samples = Array.from({ length: sites }, () => 100 + Math.floor(Math.random() * 5000));
  const totalSamples = samples.reduce((sum, n) => sum + n, 0);
  const weights = samples.map((n) => n / totalSamples);
  const updates = Array.from({ length: sites }, () => randomVector(length, MAX_ABS_PARAMETER));
  // Σ w_i·|x_i| ≤ MAX_ABS_PARAMETER and Σ MAX_ABS_PARAMETER·w_i = MAX_ABS_PARAMETER: one bound covers every slot.
  const scaleBits = chooseScaleBits(ctx, MAX_ABS_PARAMETER);
  const chunks = chunkCount(ctx, length + 1);

  const aggregates: Uint8Array[] = [];
  updates.forEach((update, site) => {
    const submission = new Float64Array(length + 1);
    update.forEach((x, k) => (submission[k] = weights[site]! * x));
    submission[length] = MAX_ABS_PARAMETER * weights[site]!;
    let chunk = 0;
    for (const ciphertext of encryptVectorChunks(ctx, ceremony.publicKey, submission, scaleBits)) {
      validateCiphertext(ctx, ciphertext, { scaleBits });
      aggregates[chunk] = site === 0 ? ciphertext : addCiphertexts(ctx, aggregates[chunk]!, ciphertext);
      chunk++;
    }
    expect(chunk).toBe(chunks);
  });

  const decryptors = ceremony.points.slice(sites - threshold);
  const members = decryptors.map((self) => createPartialDecryptor(ctx, ceremony.keyShares[self - 1]!, { self, decryptors }));
  const shareSums = aggregates.map((aggregate) => {
    let sum: Uint8Array | undefined;
    for (const member of members) {
      const share = member.decrypt(aggregate);
      validateDecryptionShare(ctx, share, { aggregate, decryptors });
      sum = sum === undefined ? share : addDecryptionShares(ctx, sum, share);
    }
    return sum!;
  });
  for (const member of members) member.dispose();
  const decoded = decodeChunks(ctx, aggregates, shareSums, length + 1, decryptors);
  const weightSum = decoded[length]! / MAX_ABS_PARAMETER;
  const average = decoded.subarray(0, length).map((v) => v / weightSum);

  const expected = new Float64Array(length);
  for (let k = 0; k < length; k++) {
    let numerator = 0;
    for (let site = 0; site < sites; site++) numerator += weights[site]! * updates[site]![k]!;
    expected[k] = numerator / weights.reduce((sum, w) => sum + w, 0);
  }
  return { average, expected, weightSum };
}

describe('end to end, N=4096 [60, 49], smudging 2^20', () => {
  let ctx: CkksContext;
  beforeAll(async () => {
    ctx = await createCkksContext(DEFAULT_PARAMS);
  });
  afterAll(() => ctx.dispose());

  it.each([
    [3, 3],
    [4, 4],
    [5, 3],
  ])('%i sites, %i decrypting: the encrypted weighted average of 10000 values matches float64 to 1e-6', (sites, threshold) => {
    const { average, expected, weightSum } = weightedAverageRound(ctx, sites, 10000, threshold);
    expect(Math.abs(weightSum - 1)).toBeLessThan(1e-6);
    expect(maxAbsDifference(average, expected)).toBeLessThanOrEqual(1e-6);
  });
});

describe('end to end, N=8192 with two data primes [60, 40, 60], smudging 2^30', () => {
  it('2 sites: a vector spanning chunks decrypts through the multi-prime paths', async () => {
    const ctx = await createCkksContext({ polyModulusDegree: 8192, coeffModulusBits: [60, 40, 60], smudgingSigmaBits: 30 });
    try {
      const { average, expected } = weightedAverageRound(ctx, 2, 8400);
      expect(maxAbsDifference(average, expected)).toBeLessThanOrEqual(1e-9);
    } finally {
      ctx.dispose();
    }
  });
});
