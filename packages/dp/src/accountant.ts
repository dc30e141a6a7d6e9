/**
 * A privacy accountant: the RDP curve of everything released so far, on a fixed grid of orders.
 * Gaussian releases compose by adding their RDP at each order, so the ledger is one number per order.
 */
import { AppError, ErrorCode } from '@consilium/errors';
import { checkDelta, checkNoiseMultiplier, checkRounds, DEFAULT_ORDERS, epsilonFromRdp, rdpGaussian } from './rdp.ts';

export interface PrivacyAccountant {
  readonly delta: number;
  readonly orders: readonly number[];
  /** Records `rounds` releases, each a Gaussian mechanism with this noise multiplier. */
  spend(noiseMultiplier: number, rounds?: number): void;
  /** ε spent so far at the accountant's δ (0 before anything was released). */
  epsilon(): number;
  /** Releases recorded so far. */
  rounds(): number;
  /** ε once `rounds` more releases at this noise multiplier are recorded (nothing is recorded). */
  epsilonAfter(noiseMultiplier: number, rounds?: number): number;
  /** Whether one more release at this noise multiplier would take ε above `targetEpsilon`. */
  wouldExceed(targetEpsilon: number, noiseMultiplier: number): boolean;
}

export function createAccountant(options: { delta: number; orders?: readonly number[] }): PrivacyAccountant {
  const { delta, orders = DEFAULT_ORDERS } = options;
  checkDelta(delta);
  if (orders.length === 0) throw new AppError(ErrorCode.INVALID_INPUT, 'the accountant needs at least one RDP order');
  const ledger = new Float64Array(orders.length);
  let released = 0;

  const epsilonWith = (extra: number, noiseMultiplier: number): number => {
    if (released + extra === 0) return 0;
    const rdp = orders.map((alpha, i) => ledger[i]! + (extra === 0 ? 0 : extra * rdpGaussian(noiseMultiplier, alpha)));
    return epsilonFromRdp(rdp, orders, delta).epsilon;
  };

  return {
    delta,
    orders: Object.freeze([...orders]),
    spend(noiseMultiplier, rounds = 1) {
      checkRounds(rounds);
      if (rounds === 0) return void checkNoiseMultiplier(noiseMultiplier);
      // Computed in full before writing: a refused spend leaves the ledger as it was.
      const added = orders.map((alpha) => rounds * rdpGaussian(noiseMultiplier, alpha));
      added.forEach((value, i) => (ledger[i] = ledger[i]! + value));
      released += rounds;
    },
    epsilon: () => epsilonWith(0, 0),
    epsilonAfter(noiseMultiplier, rounds = 1) {
      checkRounds(rounds);
      checkNoiseMultiplier(noiseMultiplier);
      return epsilonWith(rounds, noiseMultiplier);
    },
    rounds: () => released,
    wouldExceed(targetEpsilon, noiseMultiplier) {
      if (!(targetEpsilon > 0)) throw new AppError(ErrorCode.INVALID_INPUT, `target ε must be > 0, got ${targetEpsilon}`);
      return epsilonWith(1, noiseMultiplier) > targetEpsilon;
    },
  };
}
