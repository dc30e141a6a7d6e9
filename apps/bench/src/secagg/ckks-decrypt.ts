import type { CkksContext } from '@consilium/secagg';
import { addShare, decodeSum, decryptorsOf, partialDecryptor } from './ckks-protocol.ts';
import type { CkksKeys } from './ckks-protocol.ts';
import { timed } from './measure.ts';

export interface Decryption {
  /** The decoded sum [Σ w·θ, Σ w·M, Σ w·loss]. */
  sum: Float64Array;
  decryptors: number[];
  /** Each decryptor's time: weighting its key share for the set, then every chunk. */
  partialS: number[];
  /** The hub's validate + add of every share. */
  shareS: number;
  decodeS: number;
  shareBytes: number;
}

/**
 * The first `threshold` committee members partially decrypt every chunk of the aggregate and the
 * hub validates and sums their shares, chunk by chunk so only one chunk's shares are in flight (each
 * decryptor's time is its own); then the hub decodes.
 */
export function decryptAggregate(ctx: CkksContext, keys: CkksKeys, aggregates: readonly Uint8Array[], length: number): Decryption {
  const decryptors = decryptorsOf(keys);
  const partialS = decryptors.map(() => 0);
  let shareS = 0;
  const decrypt = decryptors.map((self, i) => {
    const made = timed(() => partialDecryptor(ctx, keys, self, decryptors));
    partialS[i]! += made.wallS;
    return made.value;
  });
  let shareSums: Uint8Array[];
  try {
    shareSums = aggregates.map((aggregate) => {
      let sum: Uint8Array | undefined;
      decrypt.forEach((partial, i) => {
        const share = timed(() => partial.decrypt(aggregate));
        partialS[i]! += share.wallS;
        shareS += timed(() => (sum = addShare(ctx, sum, share.value, aggregate, decryptors))).wallS;
      });
      return sum!;
    });
  } finally {
    decrypt.forEach((partial) => partial.dispose());
  }
  const decoded = timed(() => decodeSum(ctx, aggregates, shareSums, length, decryptors));
  return {
    sum: decoded.value,
    decryptors,
    partialS,
    shareS,
    decodeS: decoded.wallS,
    shareBytes: shareSums.reduce((sum, s) => sum + s.length, 0),
  };
}
