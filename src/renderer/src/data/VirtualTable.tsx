import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';

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
const COLUMN_WIDTH = 130;

/** A grid that renders only the rows in view, so a million rows scroll as smoothly as ten. */
export function VirtualTable({ rowCount, columnLabels, rowLabel, cell, onVisibleRows, height: maxHeight = 480, align = 'right', ariaLabel }: VirtualTableProps) {
  // +2 for the borders, so a short table shows no scroll bar.
  const height = Math.min(maxHeight, (rowCount + 1) * ROW_HEIGHT + 2);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 30,
    // Without layout (tests) the virtualizer would see a 0-pixel viewport and render nothing.
    initialRect: { width: 800, height },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (last >= first) onVisibleRows(first, last);
  }, [first, last, onVisibleRows]);

  const width = INDEX_WIDTH + columnLabels.length * COLUMN_WIDTH;
  const template = `${INDEX_WIDTH}px repeat(${columnLabels.length}, ${COLUMN_WIDTH}px)`;
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
        {columnLabels.map((label) => <div role="columnheader" key={label}>{label}</div>)}
      </div>
      <div style={{ height: virtualizer.getTotalSize(), width, position: 'relative' }}>
        {items.map((item) => (
          <div
            key={item.key}
            role="row"
            aria-rowindex={item.index + 2}
            className={`vtable-row${item.index % 2 ? ' odd' : ''}`}
            style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, gridTemplateColumns: template, width }}
          >
            <div role="rowheader" className="vtable-index">{rowLabel(item.index)}</div>
            {columnLabels.map((label, column) => {
              const text = cell(item.index, column);
              return <div role="gridcell" key={label} className={text === undefined ? 'pending' : undefined}>{text ?? '…'}</div>;
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
