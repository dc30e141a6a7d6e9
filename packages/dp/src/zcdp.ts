/**
 * Zero-concentrated DP (Bun & Steinke 2016, https://arxiv.org/abs/1605.02065): the cross-check of
 * the RDP accountant. T Gaussian releases with noise multiplier σ are ρ-zCDP with ρ = T / (2σ²),
 * hence (ρ + 2·√(ρ·log(1/δ)), δ)-DP (their Prop. 1.3). zCDP is RDP at every order with
 * RDP(α) = ρ·α, and that conversion is Mironov's minimised over all real α, so the RDP accountant's
 * tighter conversion never reports more, up to the grid of orders.
 */
import { checkDelta, checkNoiseMultiplier, checkRounds } from './rdp.ts';

/** ρ of `rounds` Gaussian releases with noise multiplier σ. */
export function zcdpGaussian(noiseMultiplier: number, rounds = 1): number {
  checkNoiseMultiplier(noiseMultiplier);
  checkRounds(rounds);
  if (rounds === 0) return 0;
  return noiseMultiplier === 0 ? Infinity : rounds / (2 * noiseMultiplier * noiseMultiplier);
}

/** (ε, δ) of a ρ-zCDP mechanism: ε = ρ + 2·√(ρ·log(1/δ)). */
export function zcdpEpsilon(rho: number, delta: number): number {
  checkDelta(delta);
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}
