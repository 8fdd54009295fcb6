import { useMemo } from 'react';
import { EChart } from '../charts/EChart';
import type { EChartsOption } from '../charts/echarts';
import { formatDuration, formatInteger } from '../format/units';
import { blockDuration, histogram, type TimelineRun } from './model';

export function DurationHistogram({ run, height }: { run: TimelineRun; height: number }) {
  const bins = useMemo(() => histogram(run.blocks.map(blockDuration)), [run.blocks]);
  const option = useMemo<EChartsOption>(() => {
    const labels = bins.counts.map((_, i) => `${formatDuration(bins.edges[i])}–${formatDuration(bins.edges[i + 1])}`);
    return {
      animation: false,
      grid: { left: 50, right: 16, top: 16, bottom: 50 },
      tooltip: { trigger: 'axis', formatter: (params) => {
        const [item] = params as unknown as { dataIndex: number; value: number }[];
        return `${labels[item.dataIndex]}<br>${formatInteger(item.value)} block${item.value === 1 ? '' : 's'}`;
      } },
      xAxis: { type: 'category', data: labels, name: 'block duration', nameLocation: 'middle', nameGap: 34, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', name: 'blocks', minInterval: 1 },
      series: [{ type: 'bar', data: bins.counts, barCategoryGap: '4%', itemStyle: { color: '#4e79a7' } }],
    };
  }, [bins]);
  if (run.blocks.length === 0) return <p className="muted">No block has finished yet.</p>;
  return <EChart option={option} renderer="svg" height={height} ariaLabel="Histogram of block durations" testId="duration-histogram" notMerge />;
}
