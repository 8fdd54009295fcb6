import { useMemo } from 'react';
import type { DatasetEntity } from '../../../shared/entities';
import { useApi } from '../app/apiContext';
import { EChart } from '../charts/EChart';
import { tooltipItem, type EChartsOption } from '../charts/echarts';
import { formatInteger, formatNumber } from '../format/units';
import { useAsync } from '../ui/useAsync';
import { VIRIDIS } from './plotColors';
import { readRowWindows } from './readValues';
import { binGrid, MAX_ELEMENTS_PER_REQUEST } from './sampling';

/** Cells on screen; larger data is averaged into this grid. */
const GRID_ROWS = 300;
const GRID_COLUMNS = 300;
/** Elements read for one heatmap: the leading rows of larger datasets. */
const HEATMAP_READ_CAP = 2 * MAX_ELEMENTS_PER_REQUEST;

export function HeatmapPlot({ fileId, dataset }: { fileId: string; dataset: DatasetEntity }) {
  const { api } = useApi();
  const [rows, columns] = dataset.shape ?? [0, 0];
  const readRows = Math.min(rows, Math.max(1, Math.floor(HEATMAP_READ_CAP / Math.max(1, columns))));
  const grid = useAsync(async (signal) => {
    const blocks = await readRowWindows(api, fileId, dataset.path, dataset.shape ?? [], [[0, readRows]], signal);
    return binGrid(blocks.flatMap((b) => b.values), readRows, columns, GRID_ROWS, GRID_COLUMNS);
  }, [api, fileId, dataset.path, readRows, columns]);

  const option = useMemo<EChartsOption | null>(() => {
    if (grid.status !== 'done') return null;
    const g = grid.value;
    const cells: [number, number, number | '-'][] = [];
    for (let r = 0; r < g.rows; r++) {
      for (let c = 0; c < g.columns; c++) {
        const value = g.values[r * g.columns + c];
        cells.push([c, r, Number.isNaN(value) ? '-' : value]);
      }
    }
    const rowLabels = Array.from({ length: g.rows }, (_, r) => formatInteger(r * g.rowStep));
    const columnLabels = Array.from({ length: g.columns }, (_, c) => formatInteger(c * g.columnStep));
    return {
      animation: false,
      grid: { left: 80, right: 120, top: 24, bottom: 50 },
      tooltip: { formatter: (p) => {
        const [c, r, v] = tooltipItem<[number, number, number]>(p).value;
        const rowText = g.rowStep > 1 ? `rows ${formatInteger(r * g.rowStep)}–${formatInteger(Math.min(readRows, (r + 1) * g.rowStep) - 1)}` : `row ${formatInteger(r)}`;
        const columnText = g.columnStep > 1 ? `columns ${formatInteger(c * g.columnStep)}–${formatInteger(Math.min(columns, (c + 1) * g.columnStep) - 1)}` : `column ${formatInteger(c)}`;
        return `${rowText}, ${columnText}<br>${g.rowStep * g.columnStep > 1 ? 'mean ' : ''}${formatNumber(v)}`;
      } },
      xAxis: { type: 'category', data: columnLabels, name: 'column', nameLocation: 'middle', nameGap: 30, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'category', data: rowLabels, name: 'row', inverse: true, axisLabel: { hideOverlap: true } },
      visualMap: {
        min: Number.isFinite(g.min) ? g.min : 0, max: Number.isFinite(g.max) ? g.max : 1, calculable: true,
        orient: 'vertical', right: 10, top: 'middle', inRange: { color: VIRIDIS }, formatter: (v) => formatNumber(Number(v), 4),
      },
      series: [{ type: 'heatmap', data: cells, progressive: 0 }],
    };
  }, [grid, readRows, columns]);

  const binned = grid.status === 'done' && grid.value.rowStep * grid.value.columnStep > 1;
  return (
    <div className="plot" data-testid="heatmap-plot">
      <p className="plot-note muted small" data-testid="plot-note">
        {readRows < rows ? `The first ${formatInteger(readRows)} of ${formatInteger(rows)} rows. ` : `All ${formatInteger(rows)} × ${formatInteger(columns)} values. `}
        {binned && grid.status === 'done' && `Each cell is the mean of ${formatInteger(grid.value.rowStep)} row${grid.value.rowStep > 1 ? 's' : ''} × ${formatInteger(grid.value.columnStep)} column${grid.value.columnStep > 1 ? 's' : ''}.`}
      </p>
      {grid.status === 'loading' && <p className="muted">Reading values…</p>}
      {grid.status === 'failed' && <p className="inline-error" role="alert">{grid.error.message}</p>}
      {option && <EChart option={option} height={460} ariaLabel={`Heatmap of ${dataset.path}`} notMerge />}
    </div>
  );
}
