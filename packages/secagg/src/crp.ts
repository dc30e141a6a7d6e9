import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import type { RnsLevel } from './rns.ts';
import { u64Words } from './words.ts';

/**
 * The common random polynomial `a` of the key ceremony, expanded from a public seed.
 *
 * Every party must derive the same `a` (uniform mod each key-level prime, NTT form) without trusting
 * whoever picked the seed to have picked `a` itself. Per prime j, SHAKE-256 is run over a
 * domain-separated input (label, N, j, q_j, block counter, seed); each 8-byte little-endian word of
 * its output is masked to q_j's bit length and kept if it is below q_j (rejection sampling: no
 * modular bias). NTT primes sit just below a power of two, so almost every word is kept.
 */

/** Bytes of a CRP seed (the protocol carries it as 64 hex characters). */
export const CRP_SEED_BYTES = 32;

const CRP_LABEL = 'consilium/secagg/crp/v1';
const BINDING_LABEL = 'consilium/secagg/crp-binding/v1';

function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== CRP_SEED_BYTES) {
    throw new AppError(ErrorCode.INVALID_INPUT, `CRP seed must be ${CRP_SEED_BYTES} bytes`, {
      details: { actual: seed instanceof Uint8Array ? seed.length : typeof seed },
    });
  }
}

/** The CRP at `level` as coefficient words (prime × N), deterministic in `seed`. */
export function expandCrp(level: RnsLevel, seed: Uint8Array): Uint32Array {
  checkSeed(seed);
  const n = level.polyModulusDegree;
  const out = new Uint32Array(2 * n * level.primes.length);
  level.primes.forEach((prime, j) => {
    const hiBits = Math.max(0, prime.bits - 32);
    const hiMask = hiBits === 0 ? 0 : 2 ** hiBits - 1;
    const loMask = prime.bits >= 32 ? 0xffffffff : 2 ** prime.bits - 1;
    let filled = 0;
    for (let block = 0; filled < n; block++) {
      const prefix = Buffer.alloc(20);
      prefix.writeUInt32LE(n, 0);
      prefix.writeUInt32LE(j, 4);
      prefix.writeBigUInt64LE(prime.value, 8);
      prefix.writeUInt32LE(block, 16);
      const stream = createHash('shake256', { outputLength: 8 * n }).update(CRP_LABEL).update(prefix).update(seed).digest();
      const words = u64Words(stream, 0, n);
      for (let k = 0; k < n && filled < n; k++) {
        const lo = (words[2 * k]! & loMask) >>> 0;
        const hi = (words[2 * k + 1]! & hiMask) >>> 0;
        if (hi < prime.hi || (hi === prime.hi && lo < prime.lo)) {
          const at = 2 * (j * n + filled);
          out[at] = lo;
          out[at + 1] = hi;
          filled++;
        }
      }
    }
  });
  return out;
}

/** SHA-256 binding of a seed, carried by public-key shares so shares from different seeds are refused. */
export function crpSeedBinding(seed: Uint8Array): Uint8Array {
  checkSeed(seed);
  return new Uint8Array(createHash('sha256').update(BINDING_LABEL).update(seed).digest());
}
