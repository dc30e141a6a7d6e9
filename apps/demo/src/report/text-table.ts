/** How a column's cells line up. */
export type Align = 'left' | 'right';

/** A table laid out as text: its lines and each column's width. */
export interface TextTable {
  lines: string[];
  widths: number[];
}

/** Width on a terminal: code points (the tables hold names and digits, no wide characters). */
function width(text: string): number {
  return [...text].length;
}

/**
 * Lays out rows as columns separated by two spaces; numbers read best right-aligned. Trailing
 * spaces are trimmed.
 */
export function textTable(rows: readonly (readonly string[])[], align: readonly Align[]): TextTable {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => width(r[c] ?? ''))));
  const lines = rows.map((row) =>
    widths
      .map((w, c) => {
        const cell = row[c] ?? '';
        const pad = ' '.repeat(w - width(cell));
        return align[c] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
  return { lines, widths };
}

/**
 * A header line over groups of columns ("Federated" over three metric columns), aligned with a
 * textTable's widths: each group's title starts at its first column.
 */
export function groupHeader(widths: readonly number[], groups: ReadonlyArray<{ firstColumn: number; title: string }>): string {
  const offsetOf = (column: number) => widths.slice(0, column).reduce((sum, w) => sum + w + 2, 0);
  let line = '';
  for (const group of groups) {
    const offset = offsetOf(group.firstColumn);
    line = line.padEnd(Math.max(offset, line.length === 0 ? 0 : line.length + 1)) + group.title;
  }
  return line;
}
