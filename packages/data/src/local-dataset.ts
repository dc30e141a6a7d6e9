import { AppError, ErrorCode } from '@consilium/errors';

/** The values of a numeric feature column, one per row, in the column's original units. */
export interface NumericFeatureValues {
  name: string;
  type: 'numeric';
  values: Float64Array;
}

/** The values of a categorical feature column as indices into `categories` (the schema's order). */
export interface CategoricalFeatureValues {
  name: string;
  type: 'categorical';
  categories: readonly string[];
  indices: Uint16Array;
}

/** One feature column of a dataset. */
export type FeatureValues = NumericFeatureValues | CategoricalFeatureValues;

/**
 * A site's validated rows in compact, typed form: one array per feature column (in the order of
 * `featureColumns(schema)`) and the binary labels (1 = a positive target category).
 */
export interface LocalDataset {
  rowCount: number;
  features: FeatureValues[];
  labels: Uint8Array;
}

/** The rows at `indices` (in that order), e.g. one side of a train/test split. */
export function selectRows(dataset: LocalDataset, indices: ArrayLike<number>): LocalDataset {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!Number.isInteger(index) || index < 0 || index >= dataset.rowCount)
      throw new AppError(ErrorCode.INVALID_INPUT, `row index ${index} is outside the dataset (0..${dataset.rowCount - 1})`);
  }
  const pick = <T extends Float64Array | Uint16Array | Uint8Array>(source: T, target: T): T => {
    for (let i = 0; i < indices.length; i++) target[i] = source[indices[i] as number] as number;
    return target;
  };
  return {
    rowCount: indices.length,
    features: dataset.features.map((feature) =>
      feature.type === 'numeric'
        ? { ...feature, values: pick(feature.values, new Float64Array(indices.length)) }
        : { ...feature, indices: pick(feature.indices, new Uint16Array(indices.length)) },
    ),
    labels: pick(dataset.labels, new Uint8Array(indices.length)),
  };
}

/**
 * The rows of several datasets of the same schema, one after another: the pooled dataset a
 * centralised baseline trains on. Throws INVALID_INPUT when the datasets' columns differ.
 */
export function concatDatasets(datasets: readonly LocalDataset[]): LocalDataset {
  const [first] = datasets;
  if (first === undefined) throw new AppError(ErrorCode.INVALID_INPUT, 'concatDatasets needs at least one dataset');
  for (const other of datasets) assertSameColumns(first, other);
  const rowCount = datasets.reduce((sum, d) => sum + d.rowCount, 0);
  const join = <T extends Float64Array | Uint16Array | Uint8Array>(parts: T[], target: T): T => {
    let offset = 0;
    for (const part of parts) {
      target.set(part, offset);
      offset += part.length;
    }
    return target;
  };
  return {
    rowCount,
    features: first.features.map((feature, j) => {
      if (feature.type === 'numeric') {
        const parts = datasets.map((d) => (d.features[j] as NumericFeatureValues).values);
        return { ...feature, values: join(parts, new Float64Array(rowCount)) };
      }
      const parts = datasets.map((d) => (d.features[j] as CategoricalFeatureValues).indices);
      return { ...feature, indices: join(parts, new Uint16Array(rowCount)) };
    }),
    labels: join(
      datasets.map((d) => d.labels),
      new Uint8Array(rowCount),
    ),
  };
}

function assertSameColumns(a: LocalDataset, b: LocalDataset): void {
  const signature = (d: LocalDataset): string =>
    d.features.map((f) => `${f.type}:${f.name}${f.type === 'categorical' ? `[${f.categories.join('|')}]` : ''}`).join(',');
  if (signature(a) !== signature(b)) throw new AppError(ErrorCode.INVALID_INPUT, 'datasets have different feature columns');
}
