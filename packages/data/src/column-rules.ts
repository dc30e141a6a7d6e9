import type { CategoricalColumn, DataSchema, MissingPolicy, NumericColumn } from '@consilium/schemas';
import { createCategoryMatcher, createMissingTest, parseNumber } from './cell-values.ts';

/** What one cell of a used column holds. */
export type CellOutcome =
  /** A valid value: the number for a numeric column, the category index for a categorical one. */
  | { status: 'value'; value: number }
  | { status: 'missing' }
  | { status: 'invalid'; kind: 'not_numeric' | 'out_of_range' | 'unknown_category'; message: string; expected: string };

/** How the cells of one used (numeric or categorical) column are read and checked. */
export interface ColumnRule {
  column: NumericColumn | CategoricalColumn;
  /** The column's own policy, or the schema's default. */
  missingPolicy: MissingPolicy;
  read(cell: string): CellOutcome;
}

// Long category lists are cut in messages; the schema has the full list.
const CATEGORIES_SHOWN = 12;

/** Builds the rule for a used column of `schema`. */
export function createColumnRule(schema: DataSchema, column: NumericColumn | CategoricalColumn): ColumnRule {
  const isMissing = createMissingTest(schema.missingValues);
  const missingPolicy = column.missing ?? schema.missingPolicy;
  if (column.type === 'numeric') {
    const [min, max] = column.range;
    const expected = `a number in [${min}, ${max}]${column.unit === undefined ? '' : ` ${column.unit}`}`;
    // With a non-comma delimiter, "1,5" reaches us whole: most likely a decimal comma.
    const decimalCommaHint = schema.delimiter === ',' ? '' : ' (use "." as the decimal separator)';
    return {
      column,
      missingPolicy,
      read(cell) {
        if (isMissing(cell)) return { status: 'missing' };
        const value = parseNumber(cell);
        if (value === null) {
          const hint = /^[+-]?\d+,\d+$/.test(cell) ? decimalCommaHint : '';
          return { status: 'invalid', kind: 'not_numeric', message: `"${cell}" is not a number${hint}`, expected };
        }
        if (value < min || value > max)
          return { status: 'invalid', kind: 'out_of_range', message: `${cell} is outside the column's plausible range`, expected };
        return { status: 'value', value };
      },
    };
  }
  const match = createCategoryMatcher(column.categories);
  const shown = column.categories.slice(0, CATEGORIES_SHOWN).map((c) => `"${c}"`).join(', ');
  const more = column.categories.length > CATEGORIES_SHOWN ? `, … (${column.categories.length} in all)` : '';
  const expected = `one of ${shown}${more}`;
  return {
    column,
    missingPolicy,
    read(cell) {
      if (isMissing(cell)) return { status: 'missing' };
      const value = match(cell);
      if (value < 0) return { status: 'invalid', kind: 'unknown_category', message: `"${cell}" is not a category of this column`, expected };
      return { status: 'value', value };
    },
  };
}
