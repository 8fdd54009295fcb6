import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import type { Phase } from '@shared/run';
import { formatBytes, formatDuration, formatInteger } from '../format/units';
import { SortHeader } from '../ui/SortHeader';
import { sortBy, useSort } from '../ui/sorting';
import { blockDuration, blockStart, blockWorkerLane, laneFinder, phaseMs, presentPhases, type LaneRow, type TimelineRun } from './model';
import { PHASE_COLORS } from './phases';

type Column = 'index' | 'rows' | 'lane' | 'start' | 'duration' | 'bytes' | Phase;

/** Blocks beyond this are summarised: a table of tens of thousands of rows helps nobody. */
const SHOWN_BLOCKS = 2000;
/** Up to this many rows the whole table is in the DOM; past it only the rows in view are (a run's end stays smooth). */
const ALL_ROWS_LIMIT = 150;
const ROW_HEIGHT = 27;

export function BlocksTable({ run, lanes }: { run: TimelineRun; lanes: LaneRow[] }) {
  const sort = useSort<Column>('index');
  const phases = presentPhases({ blocks: run.blocks, runPhases: [] });
  const rows = useMemo(() => {
    const rowOf = laneFinder(lanes);
    return run.blocks.map((block) => {
      const lane = lanes[rowOf(blockWorkerLane(block))];
      return { block, lane: lane?.label ?? 'main', start: blockStart(block), duration: blockDuration(block) };
    });
  }, [run.blocks, lanes]);
  const sorted = useMemo(() => sortBy(rows, (row) => {
    switch (sort.key) {
      case 'index': return row.block.index;
      case 'rows': return row.block.rowEnd - row.block.rowStart;
      case 'lane': return row.lane;
      case 'start': return row.start;
      case 'duration': return row.duration;
      case 'bytes': return row.block.bytesIn;
      default: return phaseMs(row.block, sort.key);
    }
  }, sort.direction), [rows, sort.key, sort.direction]);

  const shown = useMemo(() => sorted.slice(0, SHOWN_BLOCKS), [sorted]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = shown.length > ALL_ROWS_LIMIT;
  const virtualizer = useVirtualizer({
    count: virtual ? shown.length : 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    initialRect: { width: 800, height: 360 },
  });
  const items = virtual ? virtualizer.getVirtualItems() : shown.map((_, index) => ({ index, start: index * ROW_HEIGHT, end: (index + 1) * ROW_HEIGHT }));
  const above = items[0]?.start ?? 0;
  const below = virtual ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const columns = 6 + phases.length;

  return (
    <div className="table-scroll blocks-table" ref={scroller}>
      <table className="data-table" data-testid="blocks-table">
        <thead>
          <tr>
            <SortHeader label="Block" sort={sort.ariaSort('index')} onSort={() => sort.toggle('index')} numeric />
            <SortHeader label="Rows" sort={sort.ariaSort('rows')} onSort={() => sort.toggle('rows')} numeric />
            <SortHeader label="Worker" sort={sort.ariaSort('lane')} onSort={() => sort.toggle('lane')} title="The lane that computed the block" />
            <SortHeader label="Start" sort={sort.ariaSort('start')} onSort={() => sort.toggle('start')} numeric title="Where the block's bars start: its first work, queue wait excluded" />
            <SortHeader label="Duration" sort={sort.ariaSort('duration')} onSort={() => sort.toggle('duration')} numeric title="First work on the block (queue wait excluded) to its last phase" />
            <SortHeader label="Input" sort={sort.ariaSort('bytes')} onSort={() => sort.toggle('bytes')} numeric />
            {phases.map((phase) => (
              <SortHeader key={phase} numeric sort={sort.ariaSort(phase)} onSort={() => sort.toggle(phase)}
                label={<><span className="swatch small" style={{ background: PHASE_COLORS[phase] }} aria-hidden="true" />{phase}</>} />
            ))}
          </tr>
        </thead>
        <tbody>
          {above > 0 && <tr aria-hidden="true" style={{ height: above }}><td colSpan={columns} /></tr>}
          {items.map(({ index }) => shown[index]).map(({ block, lane, start, duration }) => (
            <tr key={block.index} style={{ height: ROW_HEIGHT }} data-testid="block-row" data-block={block.index} data-lane={lane}>
              <td className="numeric">{formatInteger(block.index)}</td>
              <td className="numeric" title={`rows ${formatInteger(block.rowStart)}–${formatInteger(block.rowEnd - 1)}`}>{formatInteger(block.rowEnd - block.rowStart)}</td>
              <td>{lane}</td>
              <td className="numeric">{formatDuration(start)}</td>
              <td className="numeric">{formatDuration(duration)}</td>
              <td className="numeric">{formatBytes(block.bytesIn)}</td>
              {phases.map((phase) => (
                <td key={phase} className="numeric">
                  {block.phases.some((s) => s.phase === phase) ? formatDuration(phaseMs(block, phase)) : <span className="muted">—</span>}
                </td>
              ))}
            </tr>
          ))}
          {below > 0 && <tr aria-hidden="true" style={{ height: below }}><td colSpan={columns} /></tr>}
        </tbody>
      </table>
      {sorted.length > SHOWN_BLOCKS && <p className="muted small">The first {formatInteger(SHOWN_BLOCKS)} of {formatInteger(sorted.length)} blocks in this order; export the trace for all of them.</p>}
    </div>
  );
}
