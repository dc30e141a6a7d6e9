'use client';

import { Line, Tooltip, XAxis, YAxis } from 'recharts';
import { LineChartFrame, SERIES_COLOURS, SERIES_DASHES, TOOLTIP_STYLE } from '../chart-frame.tsx';

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

const percent = (value: number) => `${Number(value.toFixed(2))} %`;

export function ShareChart({ series, rows, summary }: { series: ShareSeries[]; rows: Array<Record<string, number>>; summary: string }) {
  return (
    <LineChartFrame name="share-over-rounds" title="Ownership share after each settled round" summary={summary} rows={rows} rightMargin={16}>
      <XAxis dataKey="round" type='number' domain={['dataMin', 'dataMax']} allowDecimals={false} tickFormatter={(r: number) => `R${r}`} label={{ value: 'Round', position: 'insideBottomRight', offset: -4 }} />
      <YAxis domain={[0, 100]} tickFormatter={(v: number) => `${v} %`} width={56} />
      <Tooltip
        formatter={(value) => (typeof value === 'number' ? percent(value) : String(value))}
        labelFormatter={(label) => (typeof label === 'number' || typeof label === 'string' ? `After round ${label}` : '')}
        contentStyle={TOOLTIP_STYLE}
        itemSorter={(item) => -(typeof item.value === 'number' ? item.value : 0)}
      />
      {series.map((s, i) => (
        <Line
          key={s.siteId}
          dataKey={s.siteId}
          name={s.siteName}
          type="monotone"
          stroke={SERIES_COLOURS[i % SERIES_COLOURS.length]}
          strokeWidth={2}
          strokeDasharray={SERIES_DASHES[i % SERIES_DASHES.length]}
          dot={{ r: 3 }}
          activeDot={{ r: 5 }}
          isAnimationActive={false}
        />
      ))}
    </LineChartFrame>
  );
}
