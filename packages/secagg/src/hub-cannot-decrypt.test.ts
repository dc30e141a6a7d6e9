import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, maxAbsDifference, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { addCiphertexts } from './aggregation.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { expandCrp } from './crp.ts';
import { decryptionBinding } from './decryption-binding.ts';
import { addDecryptionShares, decodeAggregate } from './decryption.ts';
import { encryptVector } from './encryption.ts';
import { partialDecrypt } from './partial-decryptor.ts';
import type { RnsLevel } from './rns.ts';
import { chooseScaleBits } from './scale.ts';
import { buildShare, parseShare, ShareKind } from './share-format.ts';
import { asBigUint64 } from './words.ts';

/**
 * What the hub holds after a round (CRP seed, public key shares, collective key, every submission,
 * the aggregate, the decryption shares) decrypts nothing: not with one decryption share missing,
 * not with shares of fewer than t members weighted for a smaller set, not with key shares or
 * decryption shares built from any ±1 combination of the public polynomials, and the aggregate's
 * shares do not open single submissions. "Garbage" means off by more than GARBAGE (≈ q/Δ scale).
 */
const SITES = 3;
/** An n-of-n committee: t = n = SITES. */
const DECRYPTORS = [1, 2, 3];
const GARBAGE = 1e3;

let ctx: CkksContext;
let keyLevel: RnsLevel;
let dataLevel: RnsLevel;
let ceremony: Ceremony;
let updates: Float64Array[];
let submissions: Uint8Array[];
let aggregate: Uint8Array;
let sum: Float64Array;

beforeAll(async () => {
  ctx = await createCkksContext(DEFAULT_PARAMS);
  ({ key: keyLevel, data: dataLevel } = rnsLevels(ctx));
  ceremony = runCeremony(ctx, SITES);
  updates = Array.from({ length: SITES }, () => randomVector(4096, 64));
  const scaleBits = chooseScaleBits(ctx, 64 * SITES);
  submissions = updates.map((x) => encryptVector(ctx, ceremony.publicKey, x, scaleBits)[0]!);
  aggregate = submissions.slice(1).reduce((acc, next) => addCiphertexts(ctx, acc, next), submissions[0]!);
  sum = updates[0]!.map((_, k) => updates.reduce((total, x) => total + x[k]!, 0));
});
afterAll(() => ctx.dispose());

/** Every non-zero combination Σ c_j·p_j with c_j ∈ {−1, 0, 1} of key-level polynomials (as u64 words). */
function signedCombinations(polys: Uint32Array[]): Uint32Array[] {
  const n = keyLevel.polyModulusDegree;
  const out: Uint32Array[] = [];
  for (let code = 1; code < 3 ** polys.length; code++) {
    const combination = new Uint32Array(polys[0]!.length);
    const target = asBigUint64(combination);
    let rest = code;
    polys.forEach((poly) => {
      const sign = [0n, 1n, -1n][rest % 3]!;
      rest = Math.floor(rest / 3);
      if (sign === 0n) return;
      const source = asBigUint64(poly.slice());
      target.forEach((value, i) => {
        const q = keyLevel.primes[Math.floor(i / n)]!.value;
        target[i] = (((value + sign * source[i]!) % q) + q) % q;
      });
    });
    out.push(combination);
  }
  return out;
}

function publicPolynomials(): Uint32Array[] {
  const shares = ceremony.publicKeyShares.map((share) => parseShare(share, ShareKind.publicKey, keyLevel).coefficients.slice());
  return [...shares, expandCrp(keyLevel, ceremony.crpSeed)];
}

const sumOf = (shares: Uint8Array[]): Uint8Array => shares.slice(1).reduce((acc, share) => addDecryptionShares(ctx, acc, share), shares[0]!);
const shareOf = (self: number, decryptors: number[], of = aggregate): Uint8Array =>
  partialDecrypt(ctx, ceremony.keyShares[self - 1]!, of, { self, decryptors });

describe('the hub cannot decrypt', () => {
  it('with every decryption share but one', () => {
    const shares = DECRYPTORS.map((self) => shareOf(self, DECRYPTORS));
    expect(maxAbsDifference(decodeAggregate(ctx, aggregate, sumOf(shares), DECRYPTORS), sum)).toBeLessThan(1e-5);
    for (let missing = 0; missing < SITES; missing++) {
      const partial = sumOf(shares.filter((_, site) => site !== missing));
      expect(maxAbsDifference(decodeAggregate(ctx, aggregate, partial, DECRYPTORS), sum)).toBeGreaterThan(GARBAGE);
    }
  });

  it('with the shares of t − 1 members weighted for their own smaller set', () => {
    for (const pair of [
      [1, 2],
      [1, 3],
      [2, 3],
    ]) {
      const partial = sumOf(pair.map((self) => shareOf(self, pair)));
      expect(maxAbsDifference(decodeAggregate(ctx, aggregate, partial, pair), sum)).toBeGreaterThan(GARBAGE);
    }
  });

  it('with key shares built from any ±1 combination of the public polynomials (p0_i and a), or zero', () => {
    const candidates = [new Uint32Array(publicPolynomials()[0]!.length), ...signedCombinations(publicPolynomials())];
    expect(candidates).toHaveLength(81);
    for (const candidate of candidates) {
      // A lone decryptor's Lagrange coefficient is 1: the share is c1·candidate + e.
      const keyShare = buildShare(ShareKind.thresholdKey, keyLevel, ceremony.binding, candidate, 1);
      const share = partialDecrypt(ctx, keyShare, aggregate, { self: 1, decryptors: [1] });
      expect(maxAbsDifference(decodeAggregate(ctx, aggregate, share, [1]), sum)).toBeGreaterThan(GARBAGE);
    }
  });

  it('with decryption shares built from any ±1 combination of the public polynomials, or none', () => {
    // The binding of a share is public (a hash of the aggregate and the decryptor set).
    const binding = decryptionBinding(aggregate, DECRYPTORS);
    const dataWords = 2 * dataLevel.primes.length * dataLevel.polyModulusDegree;
    const candidates = [new Uint32Array(dataWords), ...signedCombinations(publicPolynomials()).map((poly) => poly.slice(0, dataWords))];
    for (const candidate of candidates) {
      const share = buildShare(ShareKind.decryption, dataLevel, binding, candidate);
      expect(maxAbsDifference(decodeAggregate(ctx, aggregate, share, DECRYPTORS), sum)).toBeGreaterThan(GARBAGE);
    }
  });

  it("with the aggregate's complete decryption shares, applied to a single submission", () => {
    const coefficients = parseShare(sumOf(DECRYPTORS.map((self) => shareOf(self, DECRYPTORS))), ShareKind.decryption, dataLevel).coefficients;
    submissions.forEach((submission, site) => {
      const rebound = buildShare(ShareKind.decryption, dataLevel, decryptionBinding(submission, DECRYPTORS), coefficients);
      expect(maxAbsDifference(decodeAggregate(ctx, submission, rebound, DECRYPTORS), updates[site]!)).toBeGreaterThan(GARBAGE);
    });
  });
});
