/**
 * Robust location and scale for cross-checking what sites report.
 *
 * Why not mean and standard deviation: one lying site moves the mean and inflates the standard
 * deviation, which hides the liar (masking). The median and the median absolute deviation (MAD) have
 * a 50% breakdown point: as long as fewer than half the reports are bad, the centre and spread
 * describe the honest sites.
 */
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * 1/Φ⁻¹(3/4): scales the MAD so that, for normally distributed data, 1.4826·MAD estimates the
 * standard deviation and a robust z-score reads like an ordinary one.
 */
export const MAD_TO_SIGMA = 1.482602218505602;

function assertFinite(values: readonly number[], what: string): void {
  if (values.length === 0) throw new AppError(ErrorCode.INVALID_INPUT, `${what} of an empty list is undefined`);
  for (const v of values) {
    if (!Number.isFinite(v)) throw new AppError(ErrorCode.INVALID_INPUT, `${what}: non-finite value ${v}`);
  }
}

/** The median; the mean of the two middle values for an even count. The input is not modified. */
export function median(values: readonly number[]): number {
  assertFinite(values, 'median');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid]!;
  // Halve before adding so two huge values cannot overflow to Infinity.
  return sorted[mid - 1]! / 2 + sorted[mid]! / 2;
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[], centre: number = median(values)): number {
  assertFinite(values, 'mad');
  return median(values.map((v) => Math.abs(v - centre)));
}

export interface RobustZOptions {
  /**
   * Floor on the scale (in the metric's own units). When most sites agree exactly, the MAD is 0 and
   * every tiny difference would get an infinite z; the floor says which difference is too small to
   * matter (e.g. 0.02 of accuracy). Default 1e-9: only guards against dividing by zero.
   */
  minScale?: number;
}

/**
 * (value − median) / max(1.4826·MAD, minScale): how many robust standard deviations the value lies
 * from the centre. Sign kept, so callers can tell "too good" from "too bad".
 */
export function robustZ(value: number, centre: number, madValue: number, options: RobustZOptions = {}): number {
  const minScale = options.minScale ?? 1e-9;
  if (!(minScale > 0)) throw new AppError(ErrorCode.INVALID_INPUT, `minScale must be > 0, got ${minScale}`);
  if (!Number.isFinite(value) || !Number.isFinite(centre) || !(madValue >= 0))
    throw new AppError(ErrorCode.INVALID_INPUT, 'robustZ needs finite value and centre and a MAD ≥ 0');
  return (value - centre) / robustScale(madValue, minScale);
}

/** The scale robustZ divides by. */
export function robustScale(madValue: number, minScale: number): number {
  return Math.max(MAD_TO_SIGMA * madValue, minScale);
}

/** Median, MAD and every value's robust z in one pass over the data. */
export function robustZScores(
  values: readonly number[],
  options: RobustZOptions = {},
): { median: number; mad: number; scale: number; z: number[] } {
  const centre = median(values);
  const m = mad(values, centre);
  return {
    median: centre,
    mad: m,
    scale: robustScale(m, options.minScale ?? 1e-9),
    z: values.map((v) => robustZ(v, centre, m, options)),
  };
}
