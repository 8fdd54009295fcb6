import { Fragment, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { formatCompact, formatDuration, formatFactor, formatInteger, formatNumber, formatPercent } from '../format/units';
import { SortHeader } from '../ui/SortHeader';
import { sortBy, useSort } from '../ui/sorting';
import { toggled } from '../ui/toggled';
import type { ComparedRun } from './metrics';
import { describeNonFinite } from '@shared/expression';

type Column = 'started' | 'data' | 'strategy' | 'workers' | 'blockRows' | 'wall' | 'rows' | 'mb' | 'speedup' | 'efficiency' | 'match';

interface ColumnSpec {
  key: Column;
  label: string;
  numeric?: boolean;
  title?: string;
  /** Strategy and wall time say what a row is: they always stay. */
  required?: boolean;
  sortValue: (run: ComparedRun) => string | number | null;
  cell: (run: ComparedRun, fastest: boolean) => ReactNode;
}

const COLUMNS: ColumnSpec[] = [
  {
    key: 'started', label: 'Started', sortValue: ({ record }) => record.startedAt,
    cell: ({ record }) => <td key="started" title={record.startedAt}>{new Date(record.startedAt).toLocaleTimeString('en-GB')}</td>,
  },
  {
    key: 'data', label: 'File and dataset', sortValue: ({ record }) => `${record.fileName} ${record.dataset}`,
    // Long names are cut with an ellipsis (the whole path is in the tooltip and the details row), never the table.
    cell: ({ record }) => <td key="data" className="runs-data" title={`${record.file} ${record.dataset}`}>{record.fileName} <code>{record.dataset}</code></td>,
  },
  {
    key: 'strategy', label: 'Strategy', required: true, sortValue: ({ record }) => record.strategy,
    cell: ({ record }, fastest) => (
      <td key="strategy">{fastest && <span className="fastest-mark" title="A run of the run matrix's fastest configuration (by median)">★ </span>}{record.strategy}
        {record.expression !== undefined
          ? <span className="muted small run-expression" title={`Expression: ${record.expression}`} data-testid="run-expression"> · <code>{record.expression}</code></span>
          : (record.compute ?? 'norm') !== 'norm' && <span className="muted small" title={`Computation: ${record.compute}`} data-testid="run-compute"> · {record.compute}</span>}</td>
    ),
  },
  {
    key: 'workers', label: 'Workers', numeric: true, sortValue: ({ record }) => record.workers,
    cell: ({ record }) => <td key="workers" className="numeric">{record.strategy === 'inline' ? '—' : formatInteger(record.workers)}</td>,
  },
  {
    key: 'blockRows', label: 'Block rows', numeric: true, sortValue: ({ record }) => record.blockRows,
    cell: ({ record }) => <td key="blockRows" className="numeric">{formatInteger(record.blockRows)}</td>,
  },
  {
    key: 'wall', label: 'Wall time', numeric: true, required: true, sortValue: ({ record }) => record.wallMs,
    cell: ({ record }) => <td key="wall" className="numeric">{formatDuration(record.wallMs)}</td>,
  },
  {
    key: 'rows', label: 'Rows/s', numeric: true, sortValue: ({ record }) => record.summary.rowsPerSecond,
    cell: ({ record }) => <td key="rows" className="numeric">{formatCompact(record.summary.rowsPerSecond)}</td>,
  },
  {
    key: 'mb', label: 'MB/s', numeric: true, sortValue: ({ record }) => record.summary.mbPerSecond,
    cell: ({ record }) => <td key="mb" className="numeric">{formatNumber(record.summary.mbPerSecond, 3)}</td>,
  },
  {
    key: 'speedup', label: 'Speedup', numeric: true, sortValue: ({ speedup }) => speedup,
    title: 'Wall time of the fastest inline run on the same file and dataset ÷ this run\'s wall time',
    cell: ({ speedup }) => (
      <td key="speedup" className="numeric" data-testid="speedup">
        {speedup === null ? <span className="muted" title="No inline run of this file and dataset yet: run inline once for a baseline">—</span> : formatFactor(speedup)}
      </td>
    ),
  },
  {
    key: 'efficiency', label: 'Efficiency', numeric: true, sortValue: ({ efficiency }) => efficiency,
    title: 'Speedup ÷ workers: 100 % means every worker added a full inline\'s worth of speed',
    cell: ({ efficiency }) => <td key="efficiency" className="numeric">{efficiency === null ? <span className="muted">—</span> : formatPercent(efficiency)}</td>,
  },
  {
    key: 'match', label: 'Output', sortValue: ({ record }) => (record.matchesOthers === null ? null : record.matchesOthers ? 1 : 0),
    title: 'Whether this run\'s output equals every other run\'s on the same file and dataset, bit for bit (SHA-256)',
    cell: ({ record: r }) => (
      <td key="match" data-testid="match" className="runs-match">
        {r.matchesOthers === null ? <span className="muted" title="No other run of this file and dataset to compare with">only run</span>
          : r.matchesOthers ? <span className="ok-text" title={`SHA-256 ${r.outputSha256}`}>identical</span>
            : <span className="warning-text" title={`SHA-256 ${r.outputSha256}`}>differs</span>}
        {r.strategy === 'dask' && <PoolNote matchesPool={r.matchesPool} />}
      </td>
    ),
  },
];

const HIDDEN_KEY = 'h5blocks.compare.hiddenColumns';
/** MB/s follows rows/s for one dataset: it waits in the Columns menu (and each row's details) so the rest fit 1280 px. */
const HIDDEN_AT_FIRST: Column[] = ['mb'];

function savedHidden(): Set<Column> {
  try {
    const saved = JSON.parse(window.localStorage.getItem(HIDDEN_KEY) ?? JSON.stringify(HIDDEN_AT_FIRST)) as unknown;
    return new Set(Array.isArray(saved) ? saved.filter((key): key is Column => COLUMNS.some((c) => c.key === key && !c.required)) : []);
  } catch {
    return new Set();
  }
}

/**
 * Every run, one row each, sized to fit a 1280-px window with all columns: long
 * names are cut (whole in the tooltip), the rarer facts (full start time, file
 * path, output dataset, hash, scheduler) are in a row's details, and columns the
 * user does not need can be hidden (remembered across sessions).
 */
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
  const [hidden, setHidden] = useState<Set<Column>>(savedHidden);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const columns = COLUMNS.filter((column) => !hidden.has(column.key));
  const sorted = useMemo(() => {
    const spec = COLUMNS.find((column) => column.key === sort.key)!;
    return sortBy(runs, spec.sortValue, sort.direction);
  }, [runs, sort.key, sort.direction]);

  function toggleColumn(key: Column) {
    setHidden((all) => {
      const next = toggled(all, key);
      try {
        window.localStorage.setItem(HIDDEN_KEY, JSON.stringify([...next]));
      } catch {
        // Storage full or disabled: the choice lasts for this session.
      }
      return next;
    });
  }

  function toggleDetails(id: string) {
    setOpen((all) => toggled(all, id));
  }

  return (
    <>
      <div className="runs-table-tools">
        <ColumnMenu hidden={hidden} onToggle={toggleColumn} />
      </div>
      <div className="table-scroll">
        <table className="data-table runs-table" data-testid="runs-table">
          <thead>
            <tr>
              <th scope="col"><span className="visually-hidden">Select and details</span></th>
              {columns.map((column) => (
                <SortHeader key={column.key} label={column.label} sort={sort.ariaSort(column.key)} onSort={() => sort.toggle(column.key)}
                  numeric={column.numeric} title={column.title} />
              ))}
              <th scope="col"><span className="visually-hidden">Timeline and script</span></th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((run) => {
              const r = run.record;
              const expanded = open.has(r.id);
              return (
                <Fragment key={r.id}>
                  <tr data-testid="compare-row" data-run-id={r.id} data-strategy={r.strategy} className={highlightIds.has(r.id) ? 'fastest' : undefined}>
                    <td className="runs-select">
                      <input type="checkbox" checked={selected.has(r.id)} onChange={() => onToggle(r.id)} aria-label={`Select run ${r.strategy} ${r.workers} workers ${r.startedAt}`} />
                      <button type="button" className="icon-button details-toggle" aria-expanded={expanded} aria-controls={`run-details-${r.id}`}
                        aria-label={`Details of run ${r.strategy} ${r.startedAt}`} title="Details" onClick={() => toggleDetails(r.id)}>
                        {expanded ? '▾' : '▸'}
                      </button>
                    </td>
                    {columns.map((column) => column.cell(run, highlightIds.has(r.id)))}
                    <td>
                      <div className="runs-actions">
                        <button type="button" className="link-button" onClick={() => onShowTimeline(r.id)}>Timeline</button>
                        <button type="button" className="link-button" data-testid="export-script" onClick={() => onExportScript(r.id)}
                          title="Save a Python script (h5py + dask.distributed) that performs this run's plan on a Dask cluster">
                          Script
                        </button>
                      </div>
                    </td>
                  </tr>
                  {expanded && (
                    <tr className="run-details-row" id={`run-details-${r.id}`}>
                      <td colSpan={columns.length + 2} data-testid="run-details"><RunDetails run={run} /></td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** What the columns leave out or cut short, for one run. */
function RunDetails({ run }: { run: ComparedRun }) {
  const r = run.record;
  return (
    <dl className="run-details">
      <dt>Started</dt><dd>{r.startedAt}</dd>
      <dt>File</dt><dd><code>{r.file}</code></dd>
      <dt>Dataset → output</dt><dd><code>{r.dataset}</code> → <code>{r.output}</code></dd>
      <dt>Computation</dt><dd>{r.expression !== undefined ? <>the expression <code data-testid="run-details-expression">{r.expression}</code></> : <code>{r.compute ?? 'norm'}</code>}
        {describeNonFinite(r.nonFinite) && <span className="warning-text"> · wrote {describeNonFinite(r.nonFinite)}</span>}</dd>
      <dt>Rows</dt><dd>{formatInteger(r.rows)} × {formatInteger(r.columns)} {r.inputDtype} → {r.outputDtype}</dd>
      <dt>Throughput</dt><dd>{formatCompact(r.summary.rowsPerSecond)} rows/s · {formatNumber(r.summary.mbPerSecond, 3)} MB/s</dd>
      <dt>Speedup</dt>
      <dd>{run.speedup === null ? 'no inline run to compare with' : `${formatFactor(run.speedup)} (efficiency ${formatPercent(run.efficiency ?? 0)})`}</dd>
      {r.scheduler && <><dt>Scheduler</dt><dd><code>{r.scheduler}</code></dd></>}
      <dt>Output SHA-256</dt><dd><code>{r.outputSha256}</code></dd>
    </dl>
  );
}

/** The columns that can be hidden, as a menu of checkboxes. */
function ColumnMenu({ hidden, onToggle }: { hidden: Set<Column>; onToggle: (key: Column) => void }) {
  const [open, setOpen] = useState(false);
  const anchor = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const closeOnOutside = (event: MouseEvent) => {
      if (!anchor.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', closeOnOutside);
    return () => document.removeEventListener('mousedown', closeOnOutside);
  }, [open]);
  const shown = COLUMNS.length - hidden.size;
  return (
    <div className="menu-anchor" ref={anchor} onKeyDown={(event) => event.key === 'Escape' && setOpen(false)}>
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Columns ({shown} of {COLUMNS.length}) ▾
      </button>
      {open && (
        <div className="menu column-menu" role="menu" aria-label="Columns">
          {COLUMNS.filter((column) => !column.required).map((column) => (
            <button key={column.key} type="button" role="menuitemcheckbox" aria-checked={!hidden.has(column.key)} className="menu-item menu-check"
              onClick={() => onToggle(column.key)}>
              <span aria-hidden="true">{hidden.has(column.key) ? '☐' : '☑'}</span> {column.label}
            </button>
          ))}
        </div>
      )}
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
  if (matchesPool === null) return <span className="muted small pool-note" data-testid="pool-note"> · no pool run to check against</span>;
  return matchesPool
    ? <span className="ok-text small pool-note" data-testid="pool-note" title="Same SHA-256 as every pool run of this file and dataset"> · bit-identical to pool</span>
    : <span className="warning-text small pool-note" data-testid="pool-note" title="Its SHA-256 differs from the pool runs' of this file and dataset"> · not bit-identical to pool</span>;
}
