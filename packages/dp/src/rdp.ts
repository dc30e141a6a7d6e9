/**
 * Rényi differential privacy (Mironov 2017, https://arxiv.org/abs/1702.07476) of the Gaussian
 * mechanism, and the conversion of an RDP curve to (ε, δ)-DP.
 *
 * Every round releases one sum with sensitivity C and Gaussian noise of standard deviation σ·C,
 * with every site taking part (the hub picks all of them): no subsampling, so no amplification.
 * That is TF-Privacy's / Opacus's `compute_rdp` with q = 1, which is α / (2σ²) exactly.
 */
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Orders α tried by the conversion: Opacus's default grid (1.1 … 10.9 by 0.1, then 12 … 63) plus
 * larger ones, which the optimum reaches when σ is large (small ε over few rounds).
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => 12 + i),
  64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384,
]);

/** RDP of order `alpha` of one Gaussian mechanism with noise multiplier σ (std / sensitivity). */
export function rdpGaussian(noiseMultiplier: number, alpha: number): number {
  checkNoiseMultiplier(noiseMultiplier);
  checkOrder(alpha);
  // σ = 0 is no noise at all: no privacy at any order.
  return noiseMultiplier === 0 ? Infinity : alpha / (2 * noiseMultiplier * noiseMultiplier);
}

/**
 * The tightest (ε, δ) the RDP curve gives over `orders`, with the conversion of Canonne, Kamath &
 * Steinke 2020 (https://arxiv.org/abs/2004.00010, Prop. 12) / Balle et al. 2020
 * (https://arxiv.org/abs/1905.09982, Thm. 21), as Opacus's `get_privacy_spent` does:
 *
 *     ε(α) = RDP(α) + log((α − 1)/α) − (log δ + log α)/(α − 1),   ε = min over α
 *
 * It is never worse than Mironov's ε(α) = RDP(α) + log(1/δ)/(α − 1).
 */
export function epsilonFromRdp(rdp: ArrayLike<number>, orders: readonly number[], delta: number): { epsilon: number; order: number } {
  checkDelta(delta);
  if (rdp.length !== orders.length)
    throw new AppError(ErrorCode.INVALID_INPUT, `RDP values (${rdp.length}) and orders (${orders.length}) differ in length`);
  let best = { epsilon: Infinity, order: Number.NaN };
  for (let i = 0; i < orders.length; i++) {
    const alpha = orders[i]!;
    checkOrder(alpha);
    const value = rdp[i]!;
    if (Number.isNaN(value) || value < 0) throw new AppError(ErrorCode.INVALID_INPUT, `RDP at order ${alpha} must be ≥ 0, got ${value}`);
    const epsilon = value + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    if (epsilon < best.epsilon) best = { epsilon, order: alpha };
  }
  // Far past the useful orders the formula can dip below 0; ε-DP with ε < 0 means nothing more.
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}

/** ε after `rounds` Gaussian releases with noise multiplier σ (RDP composes by addition). */
export function gaussianEpsilon(options: { noiseMultiplier: number; rounds: number; delta: number; orders?: readonly number[] }): number {
  const { noiseMultiplier, rounds, delta, orders = DEFAULT_ORDERS } = options;
  checkRounds(rounds);
  if (rounds === 0) return 0;
  return epsilonFromRdp(orders.map((alpha) => rounds * rdpGaussian(noiseMultiplier, alpha)), orders, delta).epsilon;
}

export function checkNoiseMultiplier(noiseMultiplier: number): void {
  if (!(noiseMultiplier >= 0 && Number.isFinite(noiseMultiplier)))
    throw new AppError(ErrorCode.INVALID_INPUT, `noise multiplier must be a finite number ≥ 0, got ${noiseMultiplier}`);
}

export function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < 1)) throw new AppError(ErrorCode.INVALID_INPUT, `δ must lie in (0, 1), got ${delta}`);
}

export function checkRounds(rounds: number): void {
  if (!Number.isInteger(rounds) || rounds < 0)
    throw new AppError(ErrorCode.INVALID_INPUT, `rounds must be a non-negative integer, got ${rounds}`);
}

function checkOrder(alpha: number): void {
  if (!(alpha > 1 && Number.isFinite(alpha))) throw new AppError(ErrorCode.INVALID_INPUT, `RDP order α must be a finite number > 1, got ${alpha}`);
}
