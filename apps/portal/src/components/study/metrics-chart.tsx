'use client';

import { Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricsChartRow } from '../../lib/model-metrics.ts';
import { LineChartFrame, SERIES_COLOURS, TOOLTIP_STYLE } from '../chart-frame.tsx';

/**
 * The global model's metrics per version (recharts): training loss on the left axis, validation
 * accuracy and AUC (pooled over the sites' held-out rows) on the right one, from 0 to 1. Each line
 * has its own dash pattern and marker besides its colour. recharts' accessibility layer makes the
 * chart focusable (arrow keys move the tooltip from version to version); the same numbers are in a
 * visually hidden table next to it (MetricsTable) for screen readers.
 */
const SERIES = [
  { key: 'trainLoss', name: 'Training loss', axis: 'loss', colour: SERIES_COLOURS[1], dash: undefined, dot: { r: 3 } },
  { key: 'accuracy', name: 'Validation accuracy', axis: 'score', colour: SERIES_COLOURS[0], dash: '6 3', dot: { r: 3 } },
  { key: 'auc', name: 'Validation AUC', axis: 'score', colour: SERIES_COLOURS[2], dash: '2 3', dot: { r: 4 } },
] as const;

const format = (key: unknown, value: number) => (key === 'accuracy' ? `${(value * 100).toFixed(1)} %` : value.toFixed(3));

export function MetricsChart({ rows, summary }: { rows: MetricsChartRow[]; summary: string }) {
  const present = SERIES.filter((s) => rows.some((r) => r[s.key] !== undefined));
  return (
    <LineChartFrame name="metrics-over-versions" title="Global model metrics per version" summary={summary} rows={rows}>
      <XAxis dataKey="version" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} tickFormatter={(v: number) => `v${v}`} label={{ value: 'Model version', position: 'insideBottomRight', offset: -4 }} />
      <YAxis yAxisId="loss" orientation="left" domain={[0, 'auto']} tickFormatter={(v: number) => v.toFixed(2)} width={48} label={{ value: 'Loss', angle: -90, position: 'insideLeft' }} />
      <YAxis yAxisId="score" orientation="right" domain={[0, 1]} tickFormatter={(v: number) => v.toFixed(1)} width={40} label={{ value: 'Accuracy, AUC', angle: 90, position: 'insideRight' }} />
      <Tooltip
        formatter={(value, _name, item) => (typeof value === 'number' ? format(item.dataKey, value) : String(value))}
        labelFormatter={(label, payload) => {
          const round = (payload?.[0]?.payload as MetricsChartRow | undefined)?.round;
          return typeof label === 'number' || typeof label === 'string' ? `Version ${label}${round === null || round === undefined ? '' : ` (round ${round})`}` : '';
        }}
        contentStyle={TOOLTIP_STYLE}
      />
      {present.map((s) => (
        <Line
          key={s.key}
          yAxisId={s.axis}
          dataKey={s.key}
          name={s.name}
          type="monotone"
          stroke={s.colour}
          strokeWidth={2}
          strokeDasharray={s.dash}
          dot={s.dot}
          activeDot={{ r: 5 }}
          connectNulls
          isAnimationActive={false}
        />
      ))}
    </LineChartFrame>
  );
}
