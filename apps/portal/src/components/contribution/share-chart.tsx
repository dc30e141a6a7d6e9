'use client';

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';

/**
 * Each site's ownership share after each settled round: one line per site (recharts). Colours come
 * with a distinct dash pattern and marker per site, so lines stay apart without colour vision.
 * recharts' accessibility layer makes the chart focusable: arrow keys move the tooltip from round
 * to round. The same numbers are in a table next to the chart for screen readers (SharesTable).
 */
export interface ShareSeries {
  siteId: string;
  siteName: string;
}

/** Colours that keep ≥ 3:1 contrast on the light and the dark surface. */
export const SERIES_COLOURS = ['#2563eb', '#dc2626', '#059669', '#9333ea', '#d97706', '#0891b2', '#db2777', '#65a30d'];
const DASHES = [undefined, '6 3', '2 3', '8 3 2 3', '12 4', '4 4', '1 4', '10 2 2 2 2 2'];

const percent = (value: number) => `${Number(value.toFixed(2))} %`;

export function ShareChart({ series, rows, summary }: { series: ShareSeries[]; rows: Array<Record<string, number>>; summary: string }) {
  return (
    <div className="chart" data-chart="share-over-rounds">
      <LineChart
        responsive
        style={{ width: '100%', height: 320 }}
        data={rows}
        margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
        accessibilityLayer
        title="Ownership share after each settled round"
        desc={summary}
      >
        <CartesianGrid className="chart__grid" strokeDasharray="3 3" />
        <XAxis dataKey="round" type='number' domain={['dataMin', 'dataMax']} allowDecimals={false} tickFormatter={(r: number) => `R${r}`} label={{ value: 'Round', position: 'insideBottomRight', offset: -4 }} />
        <YAxis domain={[0, 100]} tickFormatter={(v: number) => `${v} %`} width={56} />
        <Tooltip
          formatter={(value) => (typeof value === 'number' ? percent(value) : String(value))}
          labelFormatter={(label) => (typeof label === 'number' || typeof label === 'string' ? `After round ${label}` : '')}
          contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 'var(--radius)', color: 'var(--text)' }}
          itemSorter={(item) => -(typeof item.value === 'number' ? item.value : 0)}
        />
        <Legend />
        {series.map((s, i) => (
          <Line
            key={s.siteId}
            dataKey={s.siteId}
            name={s.siteName}
            type="monotone"
            stroke={SERIES_COLOURS[i % SERIES_COLOURS.length]}
            strokeWidth={2}
            strokeDasharray={DASHES[i % DASHES.length]}
            dot={{ r: 3 }}
            activeDot={{ r: 5 }}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </div>
  );
}
