import { ErrorCode } from '@consilium/errors';
import type { ContextInternals } from './context.ts';
import { writeSignedResidues } from './rns.ts';
import { callSeal, saveUncompressed, sealBytes, withSealScope } from './seal-call.ts';
import { buildCiphertext, CIPHERTEXT_LAYOUT, CIPHERTEXT_POLYS } from './serialization.ts';
import { u64Words } from './words.ts';

/** The parts of a context the transforms use (available while the context is being built). */
export type NttInternals = Pick<ContextInternals, 'seal' | 'context' | 'evaluator' | 'keyLevelContext' | 'keyLevelEvaluator' | 'dataLevel' | 'keyLevel'>;

/**
 * NTT form of a small signed polynomial, computed exactly by SEAL.
 *
 * node-seal exposes no bare NTT, but it transforms ciphertexts: the polynomial goes into c0 of a
 * crafted coefficient-form ciphertext, SEAL transforms it, and c0 comes back out. c1 is the constant
 * 1 because node-seal refuses to produce a ciphertext whose c1 is zero ("transparent"). Data-level
 * transforms use the main context; key-level ones its helper context (see ContextInternals).
 */
export function nttOfSmallPolynomial(internals: NttInternals, level: 'data' | 'key', coefficients: Float64Array): Uint32Array {
  const { seal } = internals;
  const rns = level === 'data' ? internals.dataLevel : internals.keyLevel;
  const context = level === 'data' ? internals.context : internals.keyLevelContext;
  const evaluator = level === 'data' ? internals.evaluator : internals.keyLevelEvaluator;
  const n = rns.polyModulusDegree;
  const primeCount = rns.primes.length;
  const words = new Uint32Array(2 * CIPHERTEXT_POLYS * primeCount * n);
  writeSignedResidues(words, 0, coefficients, rns.primes);
  for (let j = 0; j < primeCount; j++) words[2 * (primeCount + j) * n] = 1;
  const crafted = buildCiphertext(rns, { nttForm: false, scale: 1 }, words);
  return withSealScope((scope) => {
    const ciphertext = scope.add(new seal.Ciphertext());
    callSeal(ErrorCode.INTERNAL, `Loading a ${level}-level noise polynomial`, () => ciphertext.loadFromArray(context, sealBytes(crafted)));
    callSeal(ErrorCode.INTERNAL, `Transforming a ${level}-level noise polynomial to NTT form`, () => evaluator.cipherTransformToNttInplace(ciphertext));
    const transformed = saveUncompressed(seal, ciphertext);
    return u64Words(transformed, CIPHERTEXT_LAYOUT.data, primeCount * n).slice();
  });
}
