import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, maxAbsDifference, randomVector, runCeremony } from '../test/support.ts';
import type { Ceremony } from '../test/support.ts';
import { addCiphertexts } from './aggregation.ts';
import { createCkksContext, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { expandCrp } from './crp.ts';
import { addDecryptionShares, decodeAggregate, partialDecrypt } from './decryption.ts';
import { encryptVector } from './encryption.ts';
import type { RnsLevel } from './rns.ts';
import { chooseScaleBits } from './scale.ts';
import { buildPlaintext } from './serialization.ts';
import { buildShare, parseShare, ShareKind } from './share-format.ts';
import { asBigUint64 } from './words.ts';

/**
 * What the hub holds after a round (CRP seed, public key shares, collective key, every submission,
 * the aggregate) decrypts nothing: not with one decryption share missing, not with secret keys or
 * decryption shares built from any ±1 combination of the public polynomials, and the aggregate's
 * shares do not open single submissions. "Garbage" means off by more than GARBAGE (≈ q/Δ scale).
 */
const SITES = 3;
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
  updates = Array.from({ length: SITES }, () => randomVector(2048, 64));
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

describe('the hub cannot decrypt', () => {
  it('with every decryption share but one', () => {
    const shares = ceremony.secretShares.map((secret) => partialDecrypt(ctx, secret, aggregate));
    const all = shares.slice(1).reduce((acc, share) => addDecryptionShares(ctx, acc, share), shares[0]!);
    expect(maxAbsDifference(decodeAggregate(ctx, aggregate, all), sum)).toBeLessThan(1e-5);
    for (let missing = 0; missing < SITES; missing++) {
      const others = shares.filter((_, site) => site !== missing);
      const partial = others.slice(1).reduce((acc, share) => addDecryptionShares(ctx, acc, share), others[0]!);
      expect(maxAbsDifference(decodeAggregate(ctx, aggregate, partial), sum)).toBeGreaterThan(GARBAGE);
    }
  });

  it('with secret keys built from any ±1 combination of the public polynomials (p0_i and a), or zero', () => {
    const candidates = [new Uint32Array(publicPolynomials()[0]!.length), ...signedCombinations(publicPolynomials())];
    expect(candidates).toHaveLength(81);
    for (const candidate of candidates) {
      const secretKey = buildPlaintext(keyLevel, 1, candidate);
      const share = partialDecrypt(ctx, secretKey, aggregate);
      expect(maxAbsDifference(decodeAggregate(ctx, aggregate, share), sum)).toBeGreaterThan(GARBAGE);
    }
  });

  it('with decryption shares built from any ±1 combination of the public polynomials, or none', () => {
    // The binding of a share for this aggregate is public (a hash of the aggregate); borrow one.
    const zeroKey = buildPlaintext(keyLevel, 1, new Uint32Array(2 * 2 * keyLevel.polyModulusDegree));
    const binding = parseShare(partialDecrypt(ctx, zeroKey, aggregate), ShareKind.decryption, dataLevel).binding;
    const dataWords = 2 * dataLevel.primes.length * dataLevel.polyModulusDegree;
    const candidates = [new Uint32Array(dataWords), ...signedCombinations(publicPolynomials()).map((poly) => poly.slice(0, dataWords))];
    for (const candidate of candidates) {
      const share = buildShare(ShareKind.decryption, dataLevel, binding, candidate);
      expect(maxAbsDifference(decodeAggregate(ctx, aggregate, share), sum)).toBeGreaterThan(GARBAGE);
    }
  });

  it("with the aggregate's complete decryption shares, applied to a single submission", () => {
    const shares = ceremony.secretShares.map((secret) => partialDecrypt(ctx, secret, aggregate));
    const all = shares.slice(1).reduce((acc, share) => addDecryptionShares(ctx, acc, share), shares[0]!);
    const coefficients = parseShare(all, ShareKind.decryption, dataLevel).coefficients;
    submissions.forEach((submission, site) => {
      const zeroKey = buildPlaintext(keyLevel, 1, new Uint32Array(2 * 2 * keyLevel.polyModulusDegree));
      const binding = parseShare(partialDecrypt(ctx, zeroKey, submission), ShareKind.decryption, dataLevel).binding;
      const rebound = buildShare(ShareKind.decryption, dataLevel, binding, coefficients);
      expect(maxAbsDifference(decodeAggregate(ctx, submission, rebound), updates[site]!)).toBeGreaterThan(GARBAGE);
    });
  });
});
