import { useDeferredValue, useMemo } from 'react';
import type { RunRecord } from '@shared/api';
import { STRATEGIES } from '@shared/run';
import { EChart } from '../charts/EChart';
import type { EChartsOption } from '../charts/echarts';
import { formatCompact, formatRate } from '../format/units';
import { median } from './matrixResults';

const STRATEGY_COLORS = { inline: '#8c8c8c', pool: '#4e79a7', shard: '#f28e2b', dask: '#59a14f', vds: '#b07aa1' } as const;

/**
 * Median throughput per strategy and worker count, for the runs of one file and
 * dataset: the same statistic the run matrix ranks by, so the two agree.
 */
export function ThroughputChart({ runs: latestRuns }: { runs: RunRecord[] }) {
  // A finished run updates the table at once and this chart in a render of its own, so neither makes a long task.
  const runs = useDeferredValue(latestRuns);
  const option = useMemo<EChartsOption>(() => {
    const workerCounts = [...new Set(runs.map((r) => r.workers))].sort((a, b) => a - b);
    const typical = (strategy: string, workers: number) => {
      const matching = runs.filter((r) => r.strategy === strategy && r.workers === workers);
      return matching.length ? median(matching.map((r) => r.summary.rowsPerSecond)) : null;
    };
    return {
      animation: false,
      grid: { left: 70, right: 20, top: 36, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (value) => (value === null || value === undefined ? 'no run' : formatRate(Number(value), 'rows/s')) },
      xAxis: { type: 'category', data: workerCounts.map((n) => `${n} worker${n === 1 ? '' : 's'}`), name: 'workers', nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'value', name: 'rows/s (median)', axisLabel: { formatter: (value: number) => formatCompact(value) } },
      series: STRATEGIES.filter((s) => runs.some((r) => r.strategy === s)).map((strategy) => ({
        type: 'bar' as const,
        name: strategy,
        itemStyle: { color: STRATEGY_COLORS[strategy] },
        data: workerCounts.map((n) => typical(strategy, n)),
      })),
    };
  }, [runs]);
  return <EChart option={option} renderer="canvas" height={260} ariaLabel="Throughput by strategy and workers" testId="throughput-chart" notMerge />;
}
