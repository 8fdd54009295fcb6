import { useMemo, useState } from 'react';
import type { DatasetEntity } from '../../../shared/entities';
import { useApi } from '../app/apiContext';
import { EChart } from '../charts/EChart';
import type { EChartsOption } from '../charts/echarts';
import { formatInteger, formatNumber } from '../format/units';
import { useAsync } from '../ui/useAsync';
import { readRowWindows } from './readValues';
import { MAX_ELEMENTS_PER_REQUEST } from './sampling';

/** A line plot shows this many consecutive values; ECharts thins them to the screen with LTTB. */
const LINE_CAP = MAX_ELEMENTS_PER_REQUEST;

export function LinePlot({ fileId, dataset }: { fileId: string; dataset: DatasetEntity }) {
  const { api } = useApi();
  const total = dataset.shape?.[0] ?? 0;
  const [offset, setOffset] = useState(0);
  const count = Math.min(LINE_CAP, total - offset);
  const data = useAsync(async (signal) => {
    const blocks = await readRowWindows(api, fileId, dataset.path, dataset.shape ?? [], [[offset, offset + count]], signal);
    const points: [number, number | null][] = [];
    for (const block of blocks) {
      block.values.forEach((value, i) => points.push([block.start + i, typeof value === 'number' && Number.isFinite(value) ? value : null]));
    }
    return points;
  }, [api, fileId, dataset.path, offset, count]);

  const option = useMemo<EChartsOption | null>(() => data.status !== 'done' ? null : {
    animation: false,
    grid: { left: 70, right: 24, top: 20, bottom: 70 },
    tooltip: { trigger: 'axis', valueFormatter: (value) => formatNumber(Number(value)) },
    xAxis: { type: 'value', name: 'index', nameLocation: 'middle', nameGap: 28, min: 'dataMin', max: 'dataMax' },
    yAxis: { type: 'value', scale: true },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 10 }],
    series: [{ type: 'line', data: data.value, showSymbol: false, sampling: 'lttb', large: true, lineStyle: { width: 1 }, connectNulls: false }],
  }, [data, dataset.name]);

  return (
    <div className="plot" data-testid="line-plot">
      <p className="plot-note muted small" data-testid="plot-note">
        {total <= LINE_CAP
          ? `All ${formatInteger(total)} values. Scroll to zoom, drag to pan.`
          : `Values ${formatInteger(offset)}–${formatInteger(offset + count - 1)} of ${formatInteger(total)} (a plot holds at most ${formatInteger(LINE_CAP)}).`}
        {total > LINE_CAP && (
          <>
            {' '}
            <button type="button" className="link-button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LINE_CAP))}>‹ Previous</button>
            {' '}
            <button type="button" className="link-button" disabled={offset + count >= total} onClick={() => setOffset(offset + LINE_CAP)}>Next ›</button>
          </>
        )}
      </p>
      {data.status === 'loading' && <p className="muted">Reading values…</p>}
      {data.status === 'failed' && <p className="inline-error" role="alert">{data.error.message}</p>}
      {option && <EChart option={option} height={420} ariaLabel={`Line plot of ${dataset.path}`} notMerge />}
    </div>
  );
}
