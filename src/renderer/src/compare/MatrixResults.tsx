import { useEffect, useMemo, useRef } from 'react';
import { useTheme } from '../app/theme';
import { EChart } from '../charts/EChart';
import type { CustomSeriesRenderItem, EChartsOption } from '../charts/echarts';
import { formatCompact, formatDuration, formatInteger, formatRate } from '../format/units';
import { useSelectedObject } from '../workspace/workspace';
import type { MatrixOutcome } from './matrixRunner';
import { describeRanked, type RankedConfig } from './matrixResults';

const WINNER_COLOR = '#59a14f';
const OTHER_COLOR = '#4e79a7';

/**
 * A finished matrix: the verdict, then the ranking it comes from as a chart
 * (median bars, min–max whiskers) and a table. When the user has moved to
 * another dataset, the verdict says whose it is instead of passing for theirs.
 */
export function MatrixResults({ outcome }: { outcome: MatrixOutcome }) {
  const selected = useSelectedObject();
  const current = selected !== null && selected.file.id === outcome.fileId && selected.path === outcome.dataset;
  const subject = `${outcome.fileName} ${outcome.dataset}`;
  // A matrix ends while the user is at its form further down: its results come into view.
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    const element = section.current;
    if (element && typeof element.scrollIntoView === 'function') element.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [outcome]);
  return (
    <section ref={section} aria-label="Run matrix results" data-testid="matrix-results" data-current={current}>
      <div className={`callout verdict${current ? '' : ' stale'}`} data-testid="matrix-verdict" data-winner={outcome.ranked[0].key}>
        <p data-testid="matrix-verdict-label" className="small muted">
          {current ? (outcome.repeats === 1
            ? `Run matrix on ${subject}, one run per configuration: no spread to show (repeat 3 or more times to see how much runs vary)`
            : `Run matrix on ${subject}, ${outcome.repeats} runs per configuration, ranked by median`)
            : `Earlier run matrix, on ${subject}: not the dataset selected now`}
        </p>
        <p>{outcome.sentence}</p>
      </div>
      <MatrixChart outcome={outcome} />
      <MatrixTable ranked={outcome.ranked} />
    </section>
  );
}

function MatrixChart({ outcome }: { outcome: MatrixOutcome }) {
  const { ranked } = outcome;
  const { theme } = useTheme();
  const whiskerColor = theme === 'dark' ? '#e4e8ee' : '#1d2330';
  const option = useMemo<EChartsOption>(() => {
    const labels = ranked.map(describeRanked);
    const whisker: CustomSeriesRenderItem = (params, api) => {
      const low = api.coord([api.value(1), api.value(0)]);
      const high = api.coord([api.value(2), api.value(0)]);
      const half = ((api.size?.([0, 1]) as number[])[1] ?? 20) * 0.15;
      const style = { stroke: whiskerColor, lineWidth: 1.5 };
      const config = ranked[params.dataIndex];
      const end = api.coord([Math.max(config.maxRowsPerSecond, config.medianRowsPerSecond), api.value(0)]);
      // The median's figure sits past the whisker's end, so no line ever crosses it.
      const label = { type: 'text' as const, style: { text: formatCompact(config.medianRowsPerSecond), x: end[0] + 8, y: end[1], verticalAlign: 'middle' as const, fill: whiskerColor, font: '12px sans-serif' } };
      // One run has no spread: no whisker to draw.
      if (config.runs.length < 2 || config.minRowsPerSecond === config.maxRowsPerSecond) return { type: 'group', children: [label] };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
          { type: 'line', shape: { x1: low[0], y1: low[1] - half, x2: low[0], y2: low[1] + half }, style },
          { type: 'line', shape: { x1: high[0], y1: high[1] - half, x2: high[0], y2: high[1] + half }, style },
          label,
        ],
      };
    };
    return {
      animation: false,
      grid: { left: 230, right: 90, top: 8, bottom: 36 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', name: 'rows/s (median, min–max)', nameLocation: 'middle', nameGap: 24, axisLabel: { formatter: (v: number) => formatCompact(v) } },
      yAxis: { type: 'category', data: labels, inverse: true, axisTick: { show: false } },
      series: [
        {
          type: 'bar', name: 'median rows/s',
          data: ranked.map((c, i) => ({ value: c.medianRowsPerSecond, itemStyle: { color: i === 0 ? WINNER_COLOR : OTHER_COLOR } })),
          tooltip: { valueFormatter: (v) => formatRate(Number(v), 'rows/s') },
        },
        {
          type: 'custom', name: 'min–max', renderItem: whisker, encode: { x: [1, 2], y: 0 },
          data: ranked.map((c, i) => [i, c.minRowsPerSecond, c.maxRowsPerSecond]),
          tooltip: { formatter: (p: { dataIndex: number }) => `${labels[p.dataIndex]}<br>${formatCompact(ranked[p.dataIndex].minRowsPerSecond)}–${formatRate(ranked[p.dataIndex].maxRowsPerSecond, 'rows/s')}` },
          z: 3,
        },
      ],
    };
  }, [ranked, whiskerColor]);
  const winner = ranked[0];
  return (
    <div data-testid="matrix-chart" data-winner={winner.key} data-medians={ranked.map((c) => `${c.key}=${c.medianRowsPerSecond}`).join(' ')}>
      <EChart
        option={option} renderer="svg" height={Math.max(120, ranked.length * 32 + 50)} notMerge
        ariaLabel={`Median throughput per configuration; fastest ${describeRanked(winner)} at ${formatRate(winner.medianRowsPerSecond, 'rows/s')}`}
      />
    </div>
  );
}

function MatrixTable({ ranked }: { ranked: RankedConfig[] }) {
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="matrix-table">
        <thead>
          <tr>
            <th scope="col" className="numeric">Rank</th>
            <th scope="col">Configuration</th>
            <th scope="col" className="numeric">Median rows/s</th>
            <th scope="col" className="numeric" title="Slowest and fastest of the repeated runs">Range (min–max)</th>
            <th scope="col" className="numeric">Median wall time</th>
            <th scope="col" className="numeric">Runs</th>
          </tr>
        </thead>
        <tbody>
          {ranked.map((c, i) => (
            <tr key={c.key} data-testid="matrix-row" data-config={c.key} className={i === 0 ? 'fastest' : undefined}>
              <td className="numeric">{i === 0 ? <span className="fastest-mark" title="Fastest by median">★ 1</span> : i + 1}</td>
              <td>{describeRanked(c)}</td>
              <td className="numeric" data-testid="matrix-median">{formatRate(c.medianRowsPerSecond, 'rows/s')}</td>
              <td className="numeric" data-testid="matrix-range">{c.runs.length < 2 ? '— (one run)' : `${formatCompact(c.minRowsPerSecond)}–${formatCompact(c.maxRowsPerSecond)}`}</td>
              <td className="numeric">{formatDuration(c.medianWallMs)}</td>
              <td className="numeric">{formatInteger(c.runs.length)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
