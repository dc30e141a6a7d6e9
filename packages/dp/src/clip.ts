import { AppError, ErrorCode } from '@consilium/errors';

/** A vector scaled to a bounded L2 norm. */
export interface ClipResult<T extends Float32Array | Float64Array> {
  /** A new array of the input's type; the input is left untouched. */
  clipped: T;
  /** ‖update‖₂ before clipping, accumulated in float64. */
  norm: number;
  /** The factor applied: 1 when the update was within the bound. */
  scale: number;
}

/**
 * Scales `update` down to L2 norm ≤ clipNorm (Abadi et al. 2016's per-example clipping, applied to a
 * site's whole update): min(1, C/‖u‖)·u. The bound is guaranteed on the stored values: multiplying
 * rounds (to float32 or float64), which could leave the norm an ulp above C, so the result is
 * re-measured and nudged down when needed. `clipNorm` may be Infinity (no clipping).
 */
export function clipL2<T extends Float32Array | Float64Array>(update: T, clipNorm: number): ClipResult<T> {
  if (!(clipNorm > 0)) throw new AppError(ErrorCode.INVALID_INPUT, `clipNorm must be > 0, got ${clipNorm}`);
  const norm = l2(update);
  if (!Number.isFinite(norm))
    throw new AppError(ErrorCode.INVALID_INPUT, 'Cannot clip an update with a non-finite entry (local training diverged?)');
  const clipped = update.slice() as T;
  if (norm <= clipNorm) return { clipped, norm, scale: 1 };

  // One ulp of the element type, relative.
  const ulp = update instanceof Float32Array ? 2 ** -23 : 2 ** -52;
  let scale = clipNorm / norm;
  for (let attempt = 0; attempt < 8; attempt++) {
    for (let i = 0; i < update.length; i++) clipped[i] = update[i]! * scale;
    const realised = l2(clipped);
    if (realised <= clipNorm) return { clipped, norm, scale };
    scale *= (clipNorm / realised) * (1 - 2 * ulp);
  }
  throw new AppError(ErrorCode.INTERNAL, `clipL2 could not bring a norm of ${norm} under ${clipNorm}`);
}

function l2(values: Float32Array | Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum);
}
