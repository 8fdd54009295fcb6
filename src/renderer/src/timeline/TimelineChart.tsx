import { useMemo } from 'react';
import { EChart } from '../charts/EChart';
import { echarts, tooltipItem, type CustomSeriesRenderItem, type EChartsOption } from '../charts/echarts';
import { formatBytes, formatDuration, formatInteger } from '../format/units';
import { pendingBars, timelineBars, timelineLanes, type Bar, type TimelineRun } from './model';
import { PHASE_COLORS } from './phases';
import { TimelineCanvas } from './TimelineCanvas';

// Up to this many bars ECharts draws a finished run as SVG, with its zoom slider and labels in the DOM;
// past it, or while a run is live and redraws, the plain canvas draws them in milliseconds instead of hundreds.
const SVG_BAR_LIMIT = 2000;

/**
 * One lane per thread, each block's phases as coloured bars on one time axis.
 * Queue wait (a block waiting for its worker) is drawn thin under the lane,
 * since several blocks can wait for the same worker at once.
 */
export function TimelineChart({ run, xMax, height, compact = false }: { run: TimelineRun; xMax?: number; height?: number; compact?: boolean }) {
  const lanes = useMemo(() => timelineLanes(run), [run]);
  const bars = useMemo(() => timelineBars(run, lanes), [run, lanes]);
  const pending = useMemo(() => pendingBars(run, lanes), [run, lanes]);

  const plain = bars.length > SVG_BAR_LIMIT || !run.finished;
  const option = useMemo<EChartsOption | null>(() => {
    if (plain) return null;
    const renderItem: CustomSeriesRenderItem = (params, api) => {
      const bar = bars[params.dataIndex];
      const [x0, y] = api.coord([bar.start, bar.lane]);
      const [x1] = api.coord([bar.end, bar.lane]);
      const laneHeight = (api.size?.([0, 1]) as number[])[1];
      const queue = bar.phase === 'queue';
      const barHeight = queue ? laneHeight * 0.12 : laneHeight * 0.6;
      const top = queue ? y + laneHeight * 0.32 : y - laneHeight * 0.3;
      const system = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
      const shape = echarts.graphic.clipRectByRect(
        { x: x0, y: top, width: Math.max(1, x1 - x0), height: barHeight },
        { x: system.x, y: system.y, width: system.width, height: system.height },
      );
      if (!shape) return null;
      return {
        type: 'rect',
        shape,
        style: { fill: PHASE_COLORS[bar.phase], opacity: queue ? 0.7 : 1 },
        emphasis: { style: { stroke: '#000', lineWidth: 1 } },
      };
    };
    return {
      animation: false,
      grid: { left: 84, right: 24, top: 10, bottom: compact ? 28 : 64 },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (params) => {
          const bar = bars[tooltipItem<unknown>(params).dataIndex];
          return describeBar(run, bar, lanes[bar.lane].label);
        },
      },
      xAxis: {
        type: 'value', min: 0, max: xMax ?? bars.reduce((max, b) => Math.max(max, b.end), Math.max(run.wallMs, 1)),
        axisLabel: { formatter: (value: number) => (value === 0 ? '0' : formatDuration(value)) },
        splitLine: { show: true, lineStyle: { opacity: 0.3 } },
      },
      yAxis: { type: 'category', data: lanes.map((lane) => lane.label), inverse: true, axisTick: { show: false } },
      dataZoom: compact ? [{ type: 'inside', filterMode: 'weakFilter' }] : [
        { type: 'inside', filterMode: 'weakFilter' },
        { type: 'slider', filterMode: 'weakFilter', height: 18, bottom: 12, labelFormatter: (value: number) => formatDuration(value) },
      ],
      series: [{
        type: 'custom',
        renderItem,
        // Thousands of bars are drawn over several frames rather than in one long one.
        progressive: 400,
        progressiveThreshold: 800,
        encode: { x: [1, 2], y: 0 },
        data: bars.map((bar) => [bar.lane, bar.start, bar.end]),
      }],
    };
  }, [run, bars, lanes, xMax, compact, plain]);
  const chartHeight = height ?? Math.max(compact ? 110 : 180, lanes.length * (compact ? 26 : 40) + (compact ? 40 : 80));
  const ariaLabel = `Timeline of ${run.label}: ${lanes.length} lanes, ${formatInteger(run.blocks.length)} blocks`;

  return (
    <div
      data-testid="timeline-chart" data-lanes={lanes.map((l) => l.label).join(',')} data-bars={bars.length} data-pending={pending.length}
      data-active={bars.filter((bar) => bar.inProgress).map((bar) => `${lanes[bar.lane].label}:${bar.phase}`).join(',')}
    >
      {option ? <EChart option={option} renderer="svg" height={chartHeight} ariaLabel={ariaLabel} notMerge /> : (
        <TimelineCanvas
          bars={bars} pending={pending} lanes={lanes} height={chartHeight} compact={compact} ariaLabel={ariaLabel}
          xMax={xMax ?? bars.reduce((max, b) => Math.max(max, b.end), Math.max(run.wallMs, 1))}
          describe={(bar) => describeBar(run, bar, lanes[bar.lane].label)}
        />
      )}
    </div>
  );
}

function describeBar(run: TimelineRun, bar: Bar, laneLabel: string): string {
  if (bar.inProgress) {
    const what = bar.activeBlock !== undefined ? ` block ${formatInteger(bar.activeBlock)}` : '';
    return `<b>${bar.phase}</b>${what} on ${laneLabel}, under way for ${formatDuration(bar.end - bar.start)}`;
  }
  if (bar.block < 0) return `<b>${bar.phase}</b> (whole run) on ${laneLabel}<br>${formatDuration(bar.end - bar.start)}`;
  const block = run.blocks[bar.block];
  const rows = block.rowEnd - block.rowStart;
  const phases = block.phases
    .map((span) => `<span style="color:${PHASE_COLORS[span.phase]}">■</span> ${span.phase}: ${formatDuration(span.end - span.start)}`)
    .join('<br>');
  return [
    `<b>Block ${formatInteger(block.index)}</b> · ${bar.phase} on ${laneLabel}`,
    `rows ${formatInteger(block.rowStart)}–${formatInteger(block.rowEnd - 1)} (${formatInteger(rows)} rows)`,
    `${formatBytes(block.bytesIn)} in · ${formatBytes(block.bytesOut)} out`,
    phases,
  ].join('<br>');
}
