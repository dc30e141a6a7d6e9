/**
 * How a single (already trimmed) CSV cell is interpreted: missing, a number, or a category.
 */

// Plain decimal notation only: rejects "", "0x1F", "Infinity", "1,5" and "12 mg" that Number() or
// parseFloat() would quietly turn into a number (or into a different one).
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a cell holds, or null when it is not a finite number in plain decimal notation. */
export function parseNumber(cell: string): number | null {
  if (!DECIMAL_NUMBER.test(cell)) return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

/** A predicate for "this cell means missing", comparing with the schema's tokens after trimming. */
export function createMissingTest(missingValues: readonly string[]): (cell: string) => boolean {
  const tokens = new Set(missingValues.map((token) => token.trim()));
  return (cell) => tokens.has(cell);
}

/**
 * A function from a cell to the index of the category it matches, or -1. A cell matches a category
 * when the strings are equal, or when both are numbers and numerically equal ("1.0" matches "1"),
 * as the data schema defines. Exact string matches win, so categories "1" and "1.0" stay distinct.
 */
export function createCategoryMatcher(categories: readonly string[]): (cell: string) => number {
  const byString = new Map<string, number>();
  const byNumber = new Map<number, number>();
  categories.forEach((category, index) => {
    byString.set(category, index);
    const numeric = parseNumber(category);
    if (numeric !== null && !byNumber.has(numeric)) byNumber.set(numeric, index);
  });
  return (cell) => {
    const exact = byString.get(cell);
    if (exact !== undefined) return exact;
    const numeric = parseNumber(cell);
    return numeric === null ? -1 : (byNumber.get(numeric) ?? -1);
  };
}
