import type { CategoricalColumn, NumericColumn } from '@consilium/schemas';
import type { ColumnSummary } from './doctor-report.ts';

/** Accumulates one used column's summary while the file streams by. */
export interface ColumnSummaryBuilder {
  /** A usable row's value: the number, or the category index. */
  addValue(value: number): void;
  /** A row read with a missing value in this column. */
  addMissing(): void;
  build(present: boolean): ColumnSummary;
}

/** Starts the summary of a numeric or categorical column. */
export function createColumnSummaryBuilder(column: NumericColumn | CategoricalColumn): ColumnSummaryBuilder {
  let missing = 0;
  if (column.type === 'numeric') {
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    return {
      addValue(value) {
        count++;
        sum += value;
        if (value < min) min = value;
        if (value > max) max = value;
      },
      addMissing() {
        missing++;
      },
      build: (present) => ({
        name: column.name,
        type: 'numeric',
        present,
        count,
        min: count === 0 ? null : min,
        max: count === 0 ? null : max,
        mean: count === 0 ? null : sum / count,
        missing,
      }),
    };
  }
  const counts = new Array<number>(column.categories.length).fill(0);
  return {
    addValue(index) {
      counts[index] = (counts[index] ?? 0) + 1;
    },
    addMissing() {
      missing++;
    },
    build: (present) => ({
      name: column.name,
      type: 'categorical',
      present,
      counts: Object.fromEntries(column.categories.map((category, i) => [category, counts[i] ?? 0])),
      missing,
    }),
  };
}
