/** The noise a study needs for its (ε, δ) target over its number of rounds. */
import { AppError, ErrorCode } from '@consilium/errors';
import { checkDelta, checkRounds, DEFAULT_ORDERS, gaussianEpsilon } from './rdp.ts';

/** Bisection stops once the bracket is this narrow relative to σ: far below anything that matters. */
const RELATIVE_TOLERANCE = 1e-9;
/** Beyond this σ the target is unreachable for practical purposes (and the orders grid runs out). */
const MAX_NOISE_MULTIPLIER = 1e6;

/**
 * The smallest noise multiplier σ (to 1e-9 relative) for which `rounds` Gaussian releases stay
 * within (epsilon, delta) by the RDP accountant. ε(σ) decreases with σ, so bisection finds it; the
 * σ returned always meets the target (it is the upper end of the final bracket).
 */
export function calibrateNoiseMultiplier(options: { epsilon: number; delta: number; rounds: number; orders?: readonly number[] }): number {
  const { epsilon, delta, rounds, orders = DEFAULT_ORDERS } = options;
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new AppError(ErrorCode.INVALID_INPUT, `target ε must be a finite number > 0, got ${epsilon}`);
  checkDelta(delta);
  checkRounds(rounds);
  if (rounds === 0) return 0;
  const meets = (sigma: number) => gaussianEpsilon({ noiseMultiplier: sigma, rounds, delta, orders }) <= epsilon;

  let high = 1;
  while (!meets(high)) {
    high *= 2;
    if (high > MAX_NOISE_MULTIPLIER)
      throw new AppError(
        ErrorCode.INVALID_INPUT,
        `ε = ${epsilon} at δ = ${delta} over ${rounds} round(s) needs a noise multiplier above ${MAX_NOISE_MULTIPLIER}: raise ε or δ, or run fewer rounds`,
        { details: { epsilon, delta, rounds } },
      );
  }
  let low = 0;
  while (high - low > RELATIVE_TOLERANCE * high) {
    const mid = (low + high) / 2;
    if (meets(mid)) high = mid;
    else low = mid;
  }
  return high;
}
