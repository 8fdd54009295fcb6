import { useMemo } from 'react';
import { formatCompact, formatDuration, formatFactor, formatInteger, formatNumber, formatPercent } from '../format/units';
import { SortHeader } from '../ui/SortHeader';
import { sortBy, useSort } from '../ui/sorting';
import type { ComparedRun } from './metrics';

type Column = 'started' | 'data' | 'strategy' | 'workers' | 'blockRows' | 'wall' | 'rows' | 'mb' | 'speedup' | 'efficiency' | 'match';

export function RunsTable({ runs, selected, onToggle, highlightIds, onShowTimeline, onExportScript }: {
  runs: ComparedRun[];
  selected: Set<string>;
  onToggle: (id: string) => void;
  /** The runs of the run matrix's fastest configuration. */
  highlightIds: Set<string>;
  onShowTimeline: (id: string) => void;
  /** Saves the run's plan as a Python script for a Dask cluster. */
  onExportScript: (id: string) => void;
}) {
  const sort = useSort<Column>('started', 'descending');
  const sorted = useMemo(() => sortBy(runs, ({ record: r, speedup, efficiency }) => {
    switch (sort.key) {
      case 'started': return r.startedAt;
      case 'data': return `${r.fileName} ${r.dataset}`;
      case 'strategy': return r.strategy;
      case 'workers': return r.workers;
      case 'blockRows': return r.blockRows;
      case 'wall': return r.wallMs;
      case 'rows': return r.summary.rowsPerSecond;
      case 'mb': return r.summary.mbPerSecond;
      case 'speedup': return speedup;
      case 'efficiency': return efficiency;
      case 'match': return r.matchesOthers === null ? null : r.matchesOthers ? 1 : 0;
    }
  }, sort.direction), [runs, sort.key, sort.direction]);

  const header = (column: Column, label: string, numeric = false, title?: string) => (
    <SortHeader label={label} sort={sort.ariaSort(column)} onSort={() => sort.toggle(column)} numeric={numeric} title={title} />
  );

  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col"><span className="visually-hidden">Select</span></th>
            {header('started', 'Started')}
            {header('data', 'File and dataset')}
            {header('strategy', 'Strategy')}
            {header('workers', 'Workers', true)}
            {header('blockRows', 'Block rows', true)}
            {header('wall', 'Wall time', true)}
            {header('rows', 'Rows/s', true)}
            {header('mb', 'MB/s', true)}
            {header('speedup', 'Speedup', true, 'Wall time of the fastest inline run on the same file and dataset ÷ this run\'s wall time')}
            {header('efficiency', 'Efficiency', true, 'Speedup ÷ workers: 100 % means every worker added a full inline\'s worth of speed')}
            {header('match', 'Output', false, 'Whether this run\'s output equals every other run\'s on the same file and dataset, bit for bit (SHA-256)')}
            <th scope="col"><span className="visually-hidden">Timeline and script</span></th>
          </tr>
        </thead>
        <tbody>
          {sorted.map(({ record: r, speedup, efficiency }) => (
            <tr key={r.id} data-testid="compare-row" data-run-id={r.id} data-strategy={r.strategy} className={highlightIds.has(r.id) ? 'fastest' : undefined}>
              <td>
                <input type="checkbox" checked={selected.has(r.id)} onChange={() => onToggle(r.id)} aria-label={`Select run ${r.strategy} ${r.workers} workers ${r.startedAt}`} />
              </td>
              <td title={r.startedAt}>{new Date(r.startedAt).toLocaleTimeString('en-GB')}</td>
              <td title={r.file}>{r.fileName} <code>{r.dataset}</code></td>
              <td>{highlightIds.has(r.id) && <span className="fastest-mark" title="A run of the run matrix's fastest configuration (by median)">★ </span>}{r.strategy}</td>
              <td className="numeric">{r.strategy === 'inline' ? '—' : formatInteger(r.workers)}</td>
              <td className="numeric">{formatInteger(r.blockRows)}</td>
              <td className="numeric">{formatDuration(r.wallMs)}</td>
              <td className="numeric">{formatCompact(r.summary.rowsPerSecond)}</td>
              <td className="numeric">{formatNumber(r.summary.mbPerSecond, 3)}</td>
              <td className="numeric" data-testid="speedup">
                {speedup === null ? <span className="muted" title="No inline run of this file and dataset yet: run inline once for a baseline">—</span> : formatFactor(speedup)}
              </td>
              <td className="numeric">{efficiency === null ? <span className="muted">—</span> : formatPercent(efficiency)}</td>
              <td data-testid="match">
                {r.matchesOthers === null ? <span className="muted" title="No other run of this file and dataset to compare with">only run</span>
                  : r.matchesOthers ? <span className="ok-text" title={`SHA-256 ${r.outputSha256}`}>identical</span>
                    : <span className="warning-text" title={`SHA-256 ${r.outputSha256}`}>differs</span>}
                {r.strategy === 'dask' && <PoolNote matchesPool={r.matchesPool} />}
              </td>
              <td>
                <button type="button" className="link-button" onClick={() => onShowTimeline(r.id)}>Timeline</button>{' '}
                <button type="button" className="link-button" data-testid="export-script" onClick={() => onExportScript(r.id)}
                  title="Save a Python script (h5py + dask.distributed) that performs this run's plan on a Dask cluster">
                  Script
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A Dask run's tasks compute with numpy, not with h5blocks' own kernel: say
 * whether that gave the pool strategy's bits. The numpy kernel repeats the
 * kernel's operations in order, so "bit-identical" is what to expect; a
 * difference means the cluster's numpy did not (h5blocks does not measure ulps).
 */
function PoolNote({ matchesPool }: { matchesPool: boolean | null }) {
  if (matchesPool === null) return <span className="muted small" data-testid="pool-note"> · no pool run to check against</span>;
  return matchesPool
    ? <span className="ok-text small" data-testid="pool-note" title="Same SHA-256 as every pool run of this file and dataset"> · bit-identical to pool</span>
    : <span className="warning-text small" data-testid="pool-note" title="Its SHA-256 differs from the pool runs' of this file and dataset"> · not bit-identical to pool</span>;
}
