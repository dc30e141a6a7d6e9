/**
 * Pure numeric kernels over flat parameter vectors. No TensorFlow.js: the hub uses these to handle
 * aggregated vectors and must not load tfjs.
 *
 * Targets are Float64Array wherever values are summed across sites, because float32 accumulation
 * would lose the low bits that a weighted mean over many sites needs.
 */
import { AppError, ErrorCode } from '@consilium/errors';

/** Any flat numeric vector the kernels read from. */
export type NumericVector = Float32Array | Float64Array;

function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length)
    throw new AppError(ErrorCode.INVALID_INPUT, `${what}: vector lengths differ (${a.length} vs ${b.length})`, {
      details: { expected: a.length, actual: b.length },
    });
}

/** target[i] += source[i]. */
export function addInto(target: NumericVector, source: NumericVector): void {
  assertSameLength(target, source, 'addInto');
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}

/** target[i] += scale · source[i]. */
export function addScaledInto(target: NumericVector, source: NumericVector, scale: number): void {
  assertSameLength(target, source, 'addScaledInto');
  for (let i = 0; i < target.length; i++) target[i]! += scale * source[i]!;
}

/** target[i] = scale · source[i]; pass the same array twice to scale in place. */
export function scaleInto(target: NumericVector, source: NumericVector, scale: number): void {
  assertSameLength(target, source, 'scaleInto');
  for (let i = 0; i < target.length; i++) target[i] = scale * source[i]!;
}

/**
 * Clamps every entry to [-bound, bound] in place and returns how many entries were changed.
 * NaN is left alone (a clamp cannot repair it); check with `allFinite` first.
 */
export function clipInPlace(values: NumericVector, bound: number): number {
  let clipped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > bound) {
      values[i] = bound;
      clipped++;
    } else if (v < -bound) {
      values[i] = -bound;
      clipped++;
    }
  }
  return clipped;
}

/** Euclidean norm, accumulated in float64. */
export function l2Norm(values: NumericVector): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum);
}

/** Largest absolute entry (0 for an empty vector). */
export function maxAbs(values: NumericVector): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > max) max = a;
  }
  return max;
}

/** Index of the first entry that is NaN or infinite, or -1 when every entry is finite. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** a − b element-wise, as float64 (e.g. how far one round moved the global model). */
export function difference(a: NumericVector, b: NumericVector): Float64Array {
  assertSameLength(a, b, 'difference');
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}
