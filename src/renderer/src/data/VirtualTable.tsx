import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { useFixedRowWindow } from './useFixedRowWindow';

export interface VirtualTableProps {
  rowCount: number;
  columnLabels: string[];
  /** The label of the leftmost column, which shows each row's index. */
  rowLabel: (row: number) => string;
  /** Text of a cell, or undefined while its rows are being read. */
  cell: (row: number, column: number) => string | undefined;
  /** Called with the rows on screen (plus overscan) whenever they change. */
  onVisibleRows: (first: number, last: number) => void;
  /** Most height the grid takes; a short table shrinks to its rows. */
  height?: number;
  /** Text reads from the left, numbers line up on the right. */
  align?: 'left' | 'right';
  ariaLabel: string;
}

const ROW_HEIGHT = 26;
const INDEX_WIDTH = 110;
/** Columns start at this width and grow to fit the text in view, up to FIT_WIDTH; a drag sets any width from MIN_WIDTH. */
const COLUMN_WIDTH = 130;
const FIT_WIDTH = 420;
const MIN_WIDTH = 48;
/** About one character of the table's 12.5 px monospace font, and a cell's padding. */
const CHAR_WIDTH = 7.6;
const CELL_PADDING = 22;

const fitWidth = (text: string) => Math.min(FIT_WIDTH, Math.ceil(text.length * CHAR_WIDTH + CELL_PADDING));

/**
 * Column widths that fit the header and the cells read so far (never
 * shrinking while scrolling, so columns do not jump), until the user drags a
 * column's edge: from then on that column keeps the dragged width.
 */
function useColumnWidths(labels: string[], fitted: (column: number) => number) {
  const key = labels.join('\u0000');
  const [state, setState] = useState<{ key: string; fit: number[]; dragged: (number | undefined)[] }>(() => ({ key, fit: [], dragged: [] }));
  const current = state.key === key ? state : { key, fit: [], dragged: [] };
  const widths = labels.map((label, column) => current.dragged[column] ?? Math.max(COLUMN_WIDTH, fitWidth(label), current.fit[column] ?? 0, fitted(column)));
  useEffect(() => {
    const fit = labels.map((_, column) => Math.max(current.fit[column] ?? 0, fitted(column)));
    if (state.key !== key || fit.some((width, column) => width !== current.fit[column])) setState({ key, fit, dragged: current.dragged });
  });
  const drag = (column: number, width: number) => setState((s) => {
    const dragged = [...(s.key === key ? s.dragged : [])];
    dragged[column] = Math.max(MIN_WIDTH, Math.round(width));
    return { key, fit: s.key === key ? s.fit : [], dragged };
  });
  return { widths, drag };
}

/** A grid that renders only the rows in view, so a million rows scroll as smoothly as ten. */
export function VirtualTable({ rowCount, columnLabels, rowLabel, cell, onVisibleRows, height: maxHeight = 480, align = 'right', ariaLabel }: VirtualTableProps) {
  // +2 for the borders, so a short table shows no scroll bar.
  const height = Math.min(maxHeight, (rowCount + 1) * ROW_HEIGHT + 2);
  const scroller = useRef<HTMLDivElement>(null);
  // Every row is ROW_HEIGHT high, so the rows in view follow from the scroll offset, however many rows there are.
  const { rows: items, first, last, totalHeight } = useFixedRowWindow(scroller, rowCount, ROW_HEIGHT, height, 30);
  useEffect(() => {
    if (last >= first) onVisibleRows(first, last);
  }, [first, last, onVisibleRows]);

  const fitted = (column: number) => {
    let widest = 0;
    for (const row of items) widest = Math.max(widest, (cell(row, column) ?? '').length);
    return widest === 0 ? 0 : fitWidth('x'.repeat(widest));
  };
  const { widths, drag } = useColumnWidths(columnLabels, fitted);
  const width = INDEX_WIDTH + widths.reduce((a, b) => a + b, 0);
  const template = `${INDEX_WIDTH}px ${widths.map((w) => `${w}px`).join(' ')}`;
  const startDrag = (column: number) => (event: ReactPointerEvent<HTMLSpanElement>) => {
    event.preventDefault();
    event.stopPropagation();
    const handle = event.currentTarget;
    handle.setPointerCapture?.(event.pointerId);
    const from = event.clientX;
    const initial = widths[column];
    const move = (e: PointerEvent) => drag(column, initial + e.clientX - from);
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
  return (
    <div
      ref={scroller}
      className={`vtable align-${align}`}
      style={{ height }}
      role="grid"
      aria-label={ariaLabel}
      aria-rowcount={rowCount + 1}
      aria-colcount={columnLabels.length + 1}
      tabIndex={0}
      data-testid="data-table"
    >
      <div className="vtable-header" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template, width }}>
        <div role="columnheader" className="vtable-index">index</div>
        {columnLabels.map((label, column) => (
          <div role="columnheader" key={label} title={label} style={{ position: 'relative' }}>
            {label}
            <span
              className="column-resizer" role="separator" aria-orientation="vertical" aria-label={`Resize column ${label}`}
              aria-valuenow={widths[column]} onPointerDown={startDrag(column)}
            />
          </div>
        ))}
      </div>
      <div style={{ height: totalHeight, width, position: 'relative' }}>
        {items.map((row) => (
          <div
            key={row}
            role="row"
            aria-rowindex={row + 2}
            className={`vtable-row${row % 2 ? ' odd' : ''}`}
            style={{ transform: `translateY(${row * ROW_HEIGHT}px)`, height: ROW_HEIGHT, gridTemplateColumns: template, width }}
          >
            <div role="rowheader" className="vtable-index">{rowLabel(row)}</div>
            {columnLabels.map((label, column) => {
              const text = cell(row, column);
              return <div role="gridcell" key={label} className={text === undefined ? 'pending' : undefined}>{text ?? '…'}</div>;
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
