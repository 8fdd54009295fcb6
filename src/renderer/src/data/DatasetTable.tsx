import { useCallback, useMemo, useState } from 'react';
import type { DatasetEntity, Dtype } from '@shared/entities';
import { complexParts } from '../h5web/entities';
import { useApi } from '../app/apiContext';
import { formatInteger, formatNumber } from '../format/units';
import { useAsync } from '../ui/useAsync';
import { useValuePages } from './useValuePages';
import { VirtualTable } from './VirtualTable';

/** Columns shown at once; wider datasets page through their columns. */
const MAX_COLUMNS = 100;
/** Browsers cap an element's height near 33 million pixels; past this many rows the table shows a window. */
const MAX_SCROLL_ROWS = 1_000_000;
/** Elements fetched per request while scrolling. */
const PAGE_ELEMENTS = 20_000;

export function formatCell(value: number | string | null | undefined, isFloat: boolean, precise: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  return isFloat ? formatNumber(value, precise ? 15 : 7) : String(value);
}

/** `version` changes when the values may have changed (a Live refresh): the rows in view are read again, in place. */
export function DatasetTable({ fileId, dataset, height, version }: { fileId: string; dataset: DatasetEntity; height?: number; version?: string }) {
  const shape = dataset.shape;
  if (shape === null) return <p className="muted">This dataset has no dataspace (a null dataset), so it holds no values.</p>;
  if (shape.length === 0) return <ScalarValue key={version} fileId={fileId} dataset={dataset} />;
  if (shape.some((n) => n === 0)) return <p className="muted" data-testid="empty-dataset">This dataset is empty (shape {shape.join(' × ')}).</p>;
  return <ArrayTable fileId={fileId} dataset={dataset} shape={shape} height={height} version={version ?? ''} />;
}

function ScalarValue({ fileId, dataset }: { fileId: string; dataset: DatasetEntity }) {
  const { api } = useApi();
  const value = useAsync(() => api.getValue(fileId, dataset.path, []), [api, fileId, dataset.path]);
  if (value.status === 'loading') return <p className="muted">Reading…</p>;
  if (value.status === 'failed') return <p className="inline-error" role="alert">{value.error.message}</p>;
  return (
    <p className="scalar-value" data-testid="scalar-value">
      {formatCell(value.value.values[0], dataset.dtype.class === 'float', dataset.dtype.size >= 8)}
    </p>
  );
}

function ArrayTable({ fileId, dataset, shape, height, version }: { fileId: string; dataset: DatasetEntity; shape: number[]; height?: number; version: string }) {
  const { api } = useApi();
  const rank = shape.length;
  // A 1-D compound (a table of records) shows one column per field.
  const fields = useMemo(() => (rank === 1 ? compoundFieldNames(dataset.dtype) : []), [rank, dataset.dtype]);
  const byField = fields.length > 0;
  const totalRows = rank === 1 ? shape[0] : shape[rank - 2];
  const totalColumns = byField ? fields.length : rank === 1 ? 1 : shape[rank - 1];
  // Dimensions before the last two are fixed at one index each: the table shows a 2-D slice.
  const [leading, setLeading] = useState<number[]>(() => shape.slice(0, Math.max(0, rank - 2)).map(() => 0));
  const [firstColumn, setFirstColumn] = useState(0);
  const [firstRow, setFirstRow] = useState(0);
  const columnCount = byField ? totalColumns : Math.min(MAX_COLUMNS, totalColumns - firstColumn);
  const rowCount = Math.min(MAX_SCROLL_ROWS, totalRows - firstRow);
  const pageRows = Math.max(1, Math.floor(PAGE_ELEMENTS / columnCount));
  const identity = `${dataset.path}|${leading.join(',')}|${firstColumn}|${firstRow}`;

  const rangesFor = useCallback((start: number, stop: number): [number, number][] => {
    if (rank === 1) return [[firstRow + start, firstRow + stop]];
    return [
      ...leading.map((index): [number, number] => [index, index + 1]),
      [firstRow + start, firstRow + stop],
      [firstColumn, firstColumn + columnCount],
    ];
  }, [rank, leading, firstRow, firstColumn, columnCount]);

  const { ensureRows, valueAt, error } = useValuePages(api, fileId, dataset.path, pageRows, rangesFor, rowCount, identity, byField ? FIELDS : undefined, version);
  const columnLabels = useMemo(
    () => (byField ? fields : rank === 1 ? [dataset.name] : Array.from({ length: columnCount }, (_, i) => `column ${formatInteger(firstColumn + i)}`)),
    [byField, fields, rank, dataset.name, columnCount, firstColumn],
  );
  const isFloat = dataset.dtype.class === 'float';
  const isNumeric = isFloat || dataset.dtype.class === 'integer';
  const precise = dataset.dtype.size >= 8;

  return (
    <div className="table-view">
      <div className="table-controls">
        <span className="muted small" data-testid="table-extent">
          {formatInteger(totalRows)} rows × {formatInteger(totalColumns)} {byField ? 'field' : 'column'}{totalColumns === 1 ? '' : 's'}
          {rank > 2 && ` in each of ${formatInteger(shape.slice(0, rank - 2).reduce((a, b) => a * b, 1))} slices`}
        </span>
        {leading.map((index, dim) => (
          <label key={dim} className="inline-field">
            dim {dim}
            <input
              type="number" min={0} max={shape[dim] - 1} value={index}
              onChange={(event) => {
                const next = clamp(Number(event.target.value), 0, shape[dim] - 1);
                setLeading((all) => all.map((v, i) => (i === dim ? next : v)));
              }}
            />
            <span className="muted small">of {formatInteger(shape[dim])}</span>
          </label>
        ))}
        {totalRows > MAX_SCROLL_ROWS && (
          <label className="inline-field">
            first row
            <input
              type="number" min={0} max={totalRows - 1} step={MAX_SCROLL_ROWS} value={firstRow}
              onChange={(event) => setFirstRow(clamp(Number(event.target.value), 0, totalRows - 1))}
            />
            <span className="muted small">showing {formatInteger(firstRow)}–{formatInteger(firstRow + rowCount - 1)}</span>
          </label>
        )}
        {totalColumns > MAX_COLUMNS && (
          <span className="inline-field">
            columns {formatInteger(firstColumn)}–{formatInteger(firstColumn + columnCount - 1)}
            <button type="button" disabled={firstColumn === 0} onClick={() => setFirstColumn(Math.max(0, firstColumn - MAX_COLUMNS))}>‹</button>
            <button type="button" disabled={firstColumn + columnCount >= totalColumns} onClick={() => setFirstColumn(firstColumn + MAX_COLUMNS)}>›</button>
          </span>
        )}
      </div>
      {error && <p className="inline-error" role="alert">{error.message}</p>}
      <VirtualTable
        rowCount={rowCount}
        columnLabels={columnLabels}
        rowLabel={(row) => formatInteger(firstRow + row)}
        cell={(row, column) => formatCell(valueAt(row, column, columnCount), isFloat, precise)}
        onVisibleRows={ensureRows}
        align={isNumeric ? 'right' : 'left'}
        height={height}
        ariaLabel={`Values of ${dataset.path}`}
      />
    </div>
  );
}

const FIELDS = { fields: true } as const;

/** A compound's leaf fields as the main process names them (getValue's `fields`): nested compounds flattened with dots. */
export function compoundFieldNames(dtype: Dtype, prefix = ''): string[] {
  if (dtype.class !== 'compound' || !dtype.members || complexParts(dtype)) return [];
  return dtype.members.flatMap((member) => {
    const name = `${prefix}${member.name}`;
    const inner = compoundFieldNames(member.dtype, `${name}.`);
    return inner.length > 0 ? inner : [name];
  });
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.floor(value))) : min;
}
