'use client';

import type { ReactNode } from 'react';
import { CartesianGrid, Legend, LineChart } from 'recharts';

/**
 * The portal's line charts (recharts) share one frame: full width, 320 px high, a dashed grid, a
 * legend, and recharts' accessibility layer, which makes the chart focusable (arrow keys move the
 * tooltip from point to point) and gives it a title and a description for screen readers. Each
 * chart passes its axes, tooltip and lines as children, and keeps its numbers in a table too.
 */
export function LineChartFrame({
  name,
  title,
  summary,
  rows,
  rightMargin = 8,
  children,
}: {
  /** `data-chart` of the wrapper: what tests and styles find the chart by. */
  name: string;
  title: string;
  summary: string;
  rows: ReadonlyArray<object>;
  rightMargin?: number;
  children: ReactNode;
}) {
  return (
    <div className="chart" data-chart={name}>
      <LineChart
        responsive
        style={{ width: '100%', height: 320 }}
        data={rows}
        margin={{ top: 8, right: rightMargin, bottom: 8, left: 0 }}
        accessibilityLayer
        title={title}
        desc={summary}
      >
        <CartesianGrid className="chart__grid" strokeDasharray="3 3" />
        {children}
        <Legend />
      </LineChart>
    </div>
  );
}

/** Colours that keep ≥ 3:1 contrast on the light and the dark surface. */
export const SERIES_COLOURS = ['#2563eb', '#dc2626', '#059669', '#9333ea', '#d97706', '#0891b2', '#db2777', '#65a30d'];
/** A dash pattern per series, so lines stay apart without colour vision. */
export const SERIES_DASHES = [undefined, '6 3', '2 3', '8 3 2 3', '12 4', '4 4', '1 4', '10 2 2 2 2 2'];
/** Tooltips in the page's colours (light and dark). */
export const TOOLTIP_STYLE = { background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 'var(--radius)', color: 'var(--text)' };
