import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import type { CkksContext } from './context.ts';
import { internalsOf } from './context.ts';
import { crpSeedBinding, expandCrp } from './crp.ts';
import { nttOfSmallPolynomial } from './ntt.ts';
import { KEY_NOISE_SIGMA, sampleDiscreteGaussian } from './noise.ts';
import { addModInto } from './rns.ts';
import { callSeal, saveUncompressed, sealBytes, withSealScope } from './seal-call.ts';
import { buildPublicKey, parsePublicKey, parseSecretKey } from './serialization.ts';
import { buildShare, parseShare, ShareKind } from './share-format.ts';
import { asBigUint64 } from './words.ts';

/**
 * The key ceremony (Mouchet et al., "Multiparty Homomorphic Encryption from Ring-Learning-with-
 * Errors"): every site draws a secret share s_i and publishes p0_i = −a·s_i + e_i, with `a` the
 * common random polynomial; the hub sums them into the collective public key (Σ p0_i, a), whose
 * secret s = Σ s_i no one holds. Everything is in NTT form at the key level, where products are
 * coefficientwise.
 */

/** A fresh secret share: SEAL SecretKey bytes (ternary, NTT form). It must never leave the site. */
export function generateSecretShare(ctx: CkksContext): Uint8Array {
  const { seal, context } = internalsOf(ctx);
  return withSealScope((scope) => {
    const generator = scope.add(new seal.KeyGenerator(context));
    return saveUncompressed(seal, scope.add(generator.secretKey()));
  });
}

/** The site's public key share p0_i = −a·s_i + e_i for the ceremony's CRP seed. */
export function createPublicKeyShare(ctx: CkksContext, secretShare: Uint8Array, crpSeed: Uint8Array): Uint8Array {
  const internals = internalsOf(ctx);
  const level = internals.keyLevel;
  const n = level.polyModulusDegree;
  const secret = asBigUint64(parseSecretKey(secretShare, level, 'secret share').coefficients.slice());
  const a = asBigUint64(expandCrp(level, crpSeed));
  // With e_i, anyone could solve p0_i = −a·s_i + e_i for s_i: it is wiped with the secret.
  const noise = sampleDiscreteGaussian(n, KEY_NOISE_SIGMA);
  const error = asBigUint64(nttOfSmallPolynomial(internals, 'key', noise));
  const share = new Uint32Array(2 * level.primes.length * n);
  const p0 = asBigUint64(share);
  try {
    // Key generation is rare; BigInt keeps the 60-bit products exact and simple.
    level.primes.forEach((prime, j) => {
      const q = prime.value;
      for (let k = j * n; k < (j + 1) * n; k++) p0[k] = (q - ((a[k]! * secret[k]!) % q) + error[k]!) % q;
    });
  } finally {
    secret.fill(0n);
    noise.fill(0);
    error.fill(0n);
  }
  return buildShare(ShareKind.publicKey, level, crpSeedBinding(crpSeed), share);
}

/** Checks an untrusted public key share (format, parameters, every coefficient reduced); throws INVALID_CIPHERTEXT. */
export function validatePublicKeyShare(ctx: CkksContext, share: Uint8Array): void {
  parseShare(share, ShareKind.publicKey, internalsOf(ctx).keyLevel);
}

/**
 * The collective public key (Σ p0_i, a) as SEAL PublicKey bytes. Every share is validated, must be
 * made for `crpSeed` and appear once. Deterministic: anyone holding the seed and the shares can
 * recompute it and compare bytes with what the hub published.
 */
export function combinePublicKeyShares(ctx: CkksContext, crpSeed: Uint8Array, shares: readonly Uint8Array[]): Uint8Array {
  const internals = internalsOf(ctx);
  const level = internals.keyLevel;
  const n = level.polyModulusDegree;
  if (shares.length === 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'combinePublicKeyShares needs at least one public key share');
  }
  const binding = crpSeedBinding(crpSeed);
  const polySize = 2 * level.primes.length * n;
  const keyWords = new Uint32Array(2 * polySize);
  const sum = keyWords.subarray(0, polySize);
  const seen = new Map<string, number>();
  shares.forEach((share, index) => {
    const parsed = parseShare(share, ShareKind.publicKey, level);
    if (!parsed.binding.every((byte, i) => byte === binding[i])) {
      throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `public key share #${index} was made for a different CRP seed`, { details: { index } });
    }
    const digest = createHash('sha256').update(share).digest('hex');
    const earlier = seen.get(digest);
    if (earlier !== undefined) {
      throw new AppError(ErrorCode.INVALID_INPUT, `public key share #${index} duplicates share #${earlier}; each site contributes once`, {
        details: { index, duplicateOf: earlier },
      });
    }
    seen.set(digest, index);
    addModInto(sum, sum, parsed.coefficients, level.primes, n);
  });
  keyWords.set(expandCrp(level, crpSeed), polySize);
  const publicKey = buildPublicKey(level, keyWords);
  checkLoadsAsPublicKey(ctx, publicKey, ErrorCode.INTERNAL);
  return publicKey;
}

/**
 * Checks untrusted public key bytes: the strict parse, then SEAL's own load. It cannot tell whether
 * the key is the ceremony's: to rule out a substituted key, recompute combinePublicKeyShares from
 * the published shares (including this site's) and compare bytes.
 */
export function validatePublicKey(ctx: CkksContext, publicKey: Uint8Array): void {
  parsePublicKey(publicKey, internalsOf(ctx).keyLevel);
  checkLoadsAsPublicKey(ctx, publicKey, ErrorCode.INVALID_CIPHERTEXT);
}

function checkLoadsAsPublicKey(ctx: CkksContext, publicKey: Uint8Array, code: ErrorCode): void {
  const { seal, context } = internalsOf(ctx);
  withSealScope((scope) => {
    const key = scope.add(new seal.PublicKey());
    callSeal(code, 'Loading the public key', () => key.loadFromArray(context, sealBytes(publicKey)));
  });
}
