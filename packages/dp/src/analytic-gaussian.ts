/**
 * The exact privacy curve of the Gaussian mechanism (Balle & Wang 2018, "Improving the Gaussian
 * Mechanism for Differential Privacy", https://arxiv.org/abs/1805.06530, Thm. 8): with μ = Δ/s,
 *
 *     δ(ε) = Φ(μ/2 − ε/μ) − e^ε · Φ(−μ/2 − ε/μ)
 *
 * T releases with noise multiplier σ compose exactly into one with μ = √T / σ (μ-GDP, Dong, Roth &
 * Su 2019). Not the accountant (the issue asks for RDP, which also handles other mechanisms): the
 * reference the RDP accountant is tested against, since RDP can only overstate the exact ε.
 */
import { checkDelta, checkNoiseMultiplier, checkRounds } from './rdp.ts';

/** The smallest ε with δ(ε) ≤ delta for `rounds` Gaussian releases with noise multiplier σ. */
export function exactGaussianEpsilon(options: { noiseMultiplier: number; rounds: number; delta: number }): number {
  const { noiseMultiplier, rounds, delta } = options;
  checkNoiseMultiplier(noiseMultiplier);
  checkRounds(rounds);
  checkDelta(delta);
  if (rounds === 0) return 0;
  if (noiseMultiplier === 0) return Infinity;
  const mu = Math.sqrt(rounds) / noiseMultiplier;
  const deltaAt = (epsilon: number) => gaussianDelta(mu, epsilon);
  if (deltaAt(0) <= delta) return 0;
  let high = 1;
  while (deltaAt(high) > delta) high *= 2;
  let low = 0;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (deltaAt(mid) > delta) low = mid;
    else high = mid;
  }
  return high;
}

/** δ(ε) of μ-GDP; the second term is formed in log space so e^ε never overflows. */
export function gaussianDelta(mu: number, epsilon: number): number {
  const a = mu / 2 - epsilon / mu;
  const b = mu / 2 + epsilon / mu;
  // e^ε·Φ(−b) = ½·erfcx(b/√2)·exp(ε − b²/2), with b > 0.
  const second = 0.5 * erfcx(b / Math.SQRT2) * Math.exp(epsilon - (b * b) / 2);
  return Math.max(0, normalCdf(a) - second);
}

/** Φ(x), the standard normal CDF, to about 1e-15 relative accuracy in both tails. */
export function normalCdf(x: number): number {
  const z = -x / Math.SQRT2;
  // Φ(x) = ½·erfc(−x/√2); for z < 0 use erfc(z) = 2 − erfc(−z).
  return z >= 0 ? 0.5 * erfcx(z) * Math.exp(-z * z) : 1 - 0.5 * erfcx(-z) * Math.exp(-z * z);
}

/** The scaled complementary error function e^{x²}·erfc(x), for x ≥ 0. */
function erfcx(x: number): number {
  if (x < 2) {
    // erf(x) = (2/√π)·e^{−x²}·Σ 2ⁿ x^{2n+1} / (2n+1)!!: positive terms, no cancellation.
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return Math.exp(x * x) - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + …))), evaluated by the modified Lentz method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return 1 / (Math.sqrt(Math.PI) * f);
}
