import { useMemo } from 'react';
import type { DatasetEntity } from '../../../shared/entities';
import { useApi } from '../app/apiContext';
import { EChart } from '../charts/EChart';
import { tooltipItem, type EChartsOption } from '../charts/echarts';
import { formatInteger, formatNumber } from '../format/units';
import { useAsync } from '../ui/useAsync';
import { readRowWindows } from './readValues';
import { sampleWindows, windowRows } from './sampling';

/** More points than this hide each other and slow the page; beyond it the plot shows a sample. */
export const SCATTER_CAP = 50_000;
const SAMPLE_RUNS = 100;

export function ScatterPlot({ fileId, dataset }: { fileId: string; dataset: DatasetEntity }) {
  const { api } = useApi();
  const total = dataset.shape?.[0] ?? 0;
  const windows = useMemo(() => sampleWindows(total, SCATTER_CAP, SAMPLE_RUNS), [total]);
  const data = useAsync(async (signal) => {
    const blocks = await readRowWindows(api, fileId, dataset.path, dataset.shape ?? [], windows, signal);
    const points: [number, number][] = [];
    let skipped = 0;
    for (const block of blocks) {
      for (let i = 0; i < block.rows; i++) {
        const x = block.values[2 * i];
        const y = block.values[2 * i + 1];
        if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) points.push([x, y]);
        else skipped++;
      }
    }
    return { points, skipped };
  }, [api, fileId, dataset.path, windows]);

  const option = useMemo<EChartsOption | null>(() => data.status !== 'done' ? null : {
    animation: false,
    grid: { left: 70, right: 24, top: 20, bottom: 50 },
    tooltip: { trigger: 'item', formatter: (p) => {
      const [x, y] = tooltipItem<[number, number]>(p).value;
      return `column 0: ${formatNumber(x)}<br>column 1: ${formatNumber(y)}`;
    } },
    xAxis: { type: 'value', name: 'column 0', nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: 'column 1', scale: true },
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }, { type: 'inside', yAxisIndex: 0 }],
    series: [{ type: 'scatter', data: data.value.points, symbolSize: 3, large: true, itemStyle: { opacity: 0.6 } }],
  }, [data]);

  const sampled = windowRows(windows);
  return (
    <div className="plot" data-testid="scatter-plot">
      <p className="plot-note muted small" data-testid="plot-note">
        {sampled < total
          ? `Showing a sample of ${formatInteger(sampled)} of ${formatInteger(total)} points: ${formatInteger(windows.length)} evenly spaced runs of ${formatInteger(windows[0][1] - windows[0][0])} rows (the plot holds at most ${formatInteger(SCATTER_CAP)}).`
          : `All ${formatInteger(total)} points.`}
        {data.status === 'done' && data.value.skipped > 0 && ` ${formatInteger(data.value.skipped)} rows with NaN or infinite values are not drawn.`}
        {' '}Scroll to zoom, drag to pan.
      </p>
      {data.status === 'loading' && <p className="muted">Reading values…</p>}
      {data.status === 'failed' && <p className="inline-error" role="alert">{data.error.message}</p>}
      {option && <EChart option={option} height={460} ariaLabel={`Scatter plot of ${dataset.path}`} notMerge />}
    </div>
  );
}
