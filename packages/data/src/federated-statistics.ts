import { AppError, ErrorCode } from '@consilium/errors';
import { featureColumns } from '@consilium/schemas';
import type { DataSchema } from '@consilium/schemas';
import type { LocalDataset } from './local-dataset.ts';

/** Where one numeric feature's sums sit in the statistics vector. */
export interface NumericStatisticsSlot {
  name: string;
  /** The column's declared range, which scales its values to [0, 1]. */
  range: readonly [number, number];
  /** Index of Σz, z = (x − min) / (max − min). */
  sumIndex: number;
  /** Index of Σz². */
  sumOfSquaresIndex: number;
}

/**
 * The layout of the vector each site contributes to the encrypted statistics round:
 * `[Σz₁, Σz₁², Σz₂, Σz₂², …, rows, positives]`, one pair per numeric feature in schema order.
 * Every entry lies in [0, rows], so the consortium's row bound (`maxTotalSamples`) bounds the sum.
 */
export interface StatisticsLayout {
  length: number;
  numeric: NumericStatisticsSlot[];
  countIndex: number;
  positivesIndex: number;
}

/** Mean and standard deviation of a numeric feature across the consortium, in original units. */
export interface FeatureMoments {
  mean: number;
  std: number;
}

/** What the statistics round yields once the summed vector is decrypted. */
export interface GlobalStatistics {
  totalSamples: number;
  positives: number;
  /** Per numeric feature name; empty when `totalSamples` is 0. */
  numeric: Record<string, FeatureMoments>;
}

// Below this variance (of values scaled to [0, 1]) a column is treated as constant: the sums come
// back from CKKS with a little noise, so an exact zero cannot be relied on to detect one.
const CONSTANT_VARIANCE = 1e-12;

/** The statistics vector layout of a schema; the same on every site. */
export function statisticsLayout(schema: DataSchema): StatisticsLayout {
  const numeric = featureColumns(schema)
    .filter((c) => c.type === 'numeric')
    .map((c, k) => ({ name: c.name, range: c.range, sumIndex: 2 * k, sumOfSquaresIndex: 2 * k + 1 }));
  return { length: 2 * numeric.length + 2, numeric, countIndex: 2 * numeric.length, positivesIndex: 2 * numeric.length + 1 };
}

/**
 * A site's contribution to the statistics round (see `StatisticsLayout`). Values are scaled by the
 * declared range rather than used raw so that every entry is bounded by the row count whatever
 * the units, which is what the encryption's encoding needs.
 */
export function localStatistics(schema: DataSchema, dataset: LocalDataset): Float64Array {
  const layout = statisticsLayout(schema);
  const out = new Float64Array(layout.length);
  for (const slot of layout.numeric) {
    const feature = dataset.features.find((f) => f.name === slot.name);
    if (feature?.type !== 'numeric') throw new AppError(ErrorCode.INVALID_INPUT, `the dataset has no numeric column "${slot.name}"`);
    const [min, max] = slot.range;
    let sum = 0;
    let sumOfSquares = 0;
    for (const x of feature.values) {
      const z = (x - min) / (max - min);
      sum += z;
      sumOfSquares += z * z;
    }
    out[slot.sumIndex] = sum;
    out[slot.sumOfSquaresIndex] = sumOfSquares;
  }
  out[layout.countIndex] = dataset.rowCount;
  out[layout.positivesIndex] = dataset.labels.reduce((sum, label) => sum + label, 0);
  return out;
}

/**
 * Turns the consortium's summed statistics vector into means and (population) standard deviations
 * in original units: exactly the statistics of all sites' rows pooled. The counts are rounded
 * because they arrive with the encryption's small noise.
 *
 * A constant column gets std 1 instead of 0: standardising it then yields 0 for every row (it
 * carries no information) instead of dividing by zero. With no rows at all there are no moments:
 * `totalSamples` is 0 and `numeric` is empty, for the caller to fail the round (encoding refuses it).
 * Throws INVALID_INPUT when the vector does not have the schema's layout.
 */
export function globalStatistics(schema: DataSchema, summed: Float64Array): GlobalStatistics {
  const layout = statisticsLayout(schema);
  if (summed.length !== layout.length)
    throw new AppError(ErrorCode.INVALID_INPUT, `the statistics vector has ${summed.length} entries; the schema's layout has ${layout.length}`);
  // Noise can push a count of 0 slightly below zero.
  const totalSamples = Math.max(0, Math.round(summed[layout.countIndex] ?? 0));
  const positives = Math.max(0, Math.round(summed[layout.positivesIndex] ?? 0));
  const numeric: Record<string, FeatureMoments> = {};
  if (totalSamples === 0) return { totalSamples, positives, numeric };
  for (const slot of layout.numeric) {
    const [min, max] = slot.range;
    const meanZ = (summed[slot.sumIndex] ?? 0) / totalSamples;
    // E[z²] − E[z]² can come out slightly negative through rounding or encryption noise.
    const varianceZ = Math.max(0, (summed[slot.sumOfSquaresIndex] ?? 0) / totalSamples - meanZ * meanZ);
    numeric[slot.name] = {
      mean: min + (max - min) * meanZ,
      std: varianceZ < CONSTANT_VARIANCE ? 1 : (max - min) * Math.sqrt(varianceZ),
    };
  }
  return { totalSamples, positives, numeric };
}
