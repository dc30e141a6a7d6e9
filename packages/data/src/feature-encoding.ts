import { AppError, ErrorCode } from '@consilium/errors';
import { featureColumns } from '@consilium/schemas';
import type { CategoricalColumn, DataSchema } from '@consilium/schemas';
import type { GlobalStatistics } from './federated-statistics.ts';
import type { LocalDataset } from './local-dataset.ts';

/** A dataset as a model's input: row-major features and 0/1 targets. */
export interface EncodedFeatures {
  /** n × d, row-major. */
  x: Float32Array;
  /** n labels, 0 or 1. */
  y: Float32Array;
  n: number;
  d: number;
  featureNames: string[];
}

/**
 * The categories a categorical feature becomes indicator columns for: all of them, or all but the
 * first (the reference category) with `one_hot_drop_first`, which keeps a model with an intercept
 * identifiable.
 */
function encodedCategories(schema: DataSchema, column: CategoricalColumn): readonly string[] {
  return schema.categoricalEncoding === 'one_hot_drop_first' ? column.categories.slice(1) : column.categories;
}

/**
 * The names of the model's inputs, in order: a numeric feature keeps its name, a categorical one
 * becomes `name=category` per encoded category. Target and ignored columns are not features.
 */
export function featureNames(schema: DataSchema): string[] {
  return featureColumns(schema).flatMap((column) =>
    column.type === 'numeric' ? [column.name] : encodedCategories(schema, column).map((category) => `${column.name}=${category}`),
  );
}

/** The number of model inputs (`featureNames(schema).length`). */
export function featureDimension(schema: DataSchema): number {
  return featureNames(schema).length;
}

/**
 * Encodes a dataset for the model. Numeric features are standardised with the consortium's mean
 * and std when `stats` is given (the federated preprocessing) and left raw when it is null;
 * categorical features become one-hot indicators as the schema says.
 */
export function encodeFeatures(schema: DataSchema, dataset: LocalDataset, stats: GlobalStatistics | null): EncodedFeatures {
  const columns = featureColumns(schema);
  assertLoadedWith(columns, dataset);
  const names = featureNames(schema);
  const n = dataset.rowCount;
  const d = names.length;
  const x = new Float32Array(n * d);
  let offset = 0;
  columns.forEach((column, j) => {
    const feature = dataset.features[j];
    if (column.type === 'numeric' && feature?.type === 'numeric') {
      const moments = stats === null ? { mean: 0, std: 1 } : stats.numeric[column.name];
      if (moments === undefined) throw new AppError(ErrorCode.INVALID_INPUT, `the statistics have no mean and std for "${column.name}"`);
      for (let i = 0; i < n; i++) x[i * d + offset] = ((feature.values[i] as number) - moments.mean) / moments.std;
      offset += 1;
    } else if (column.type === 'categorical' && feature?.type === 'categorical') {
      // With drop-first, category 0 is the reference: all its indicators stay 0.
      const shift = schema.categoricalEncoding === 'one_hot_drop_first' ? 1 : 0;
      for (let i = 0; i < n; i++) {
        const slot = (feature.indices[i] as number) - shift;
        if (slot >= 0) x[i * d + offset + slot] = 1;
      }
      offset += encodedCategories(schema, column).length;
    }
  });
  return { x, y: Float32Array.from(dataset.labels), n, d, featureNames: names };
}

function assertLoadedWith(columns: ReturnType<typeof featureColumns>, dataset: LocalDataset): void {
  const matches =
    dataset.features.length === columns.length &&
    columns.every((column, j) => {
      const feature = dataset.features[j];
      if (feature?.name !== column.name || feature.type !== column.type) return false;
      return feature.type === 'numeric' || (column.type === 'categorical' && feature.categories.length === column.categories.length);
    });
  if (!matches) throw new AppError(ErrorCode.INVALID_INPUT, 'the dataset was not loaded with this schema (its feature columns differ)');
}
