import { useWorkspace } from '../workspace/workspace';
import { useMemo, useState } from 'react';
import { PHASES, type Strategy } from '@shared/run';
import { toErrorInfo } from '@shared/errors';
import { useApi } from '../app/apiContext';
import { useNavigation } from '../app/navigation';
import { useNotifier } from '../app/notifications';
import { downloadText, exportName } from '../export/download';
import { runsToCsv, runsToJson } from '../export/runsTable';
import { useRuns } from '../run/runsStore';
import { toggled } from '../ui/toggled';
import { TimelineChart } from '../timeline/TimelineChart';
import { presentPhases, runLabel, timelineFromRecord } from '../timeline/model';
import { PhaseLegend } from '../timeline/PhaseLegend';
import { compareRuns, groupKey } from './metrics';
import { useMatrix } from './matrixRunner';
import { MatrixResults } from './MatrixResults';
import { RunMatrix } from './RunMatrix';
import { RunsTable } from './RunsTable';
import { ThroughputChart } from './ThroughputChart';
import { STRATEGY_TRADE_OFFS } from './tradeOffs';

/** The trade-off of each compared strategy that has one worth saying (vds above all: no merge, but sources to open). */
function TradeOffs({ strategies }: { strategies: Strategy[] }) {
  const notes = strategies.filter((s) => STRATEGY_TRADE_OFFS[s]).sort();
  if (!notes.includes('vds')) return null;
  return (
    <ul className="muted small trade-offs" data-testid="strategy-trade-offs" aria-label="Strategy trade-offs">
      {notes.map((s) => <li key={s}>{STRATEGY_TRADE_OFFS[s]}</li>)}
    </ul>
  );
}

export function CompareView() {
  const { records: allRecords, clear } = useRuns();
  const { state: workspace } = useWorkspace();
  // Runs of files not open (from earlier sessions) are kept but left out unless asked for.
  const [showAll, setShowAll] = useState(false);
  const openPaths = useMemo(() => new Set(workspace.files.map((f) => f.path)), [workspace.files]);
  const records = useMemo(() => (showAll ? allRecords : allRecords.filter((r) => openPaths.has(r.file))), [showAll, allRecords, openPaths]);
  const hiddenRuns = allRecords.length - records.length;
  const { api } = useApi();
  const { notifyError } = useNotifier();
  const { showTimeline } = useNavigation();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const { outcome: matrix, forget: forgetMatrix } = useMatrix();
  const [groupChoice, setGroupChoice] = useState<string | null>(null);
  const compared = useMemo(() => compareRuns(records), [records]);
  // Every run of the matrix's winning configuration, marked in the table of all runs.
  const winnerRuns = useMemo(() => new Set(matrix?.ranked[0].runs.map((r) => r.id) ?? []), [matrix]);

  const groups = useMemo(() => {
    const byKey = new Map<string, { key: string; label: string; newest: string }>();
    for (const r of records) {
      const key = groupKey(r);
      const known = byKey.get(key);
      if (!known || r.startedAt > known.newest) byKey.set(key, { key, label: `${r.fileName} ${r.dataset}${r.expression !== undefined ? ` (${r.expression})` : (r.compute ?? 'norm') === 'norm' ? '' : ` (${r.compute})`}`, newest: r.startedAt });
    }
    return [...byKey.values()].sort((a, b) => b.newest.localeCompare(a.newest));
  }, [records]);
  const group = groups.find((g) => g.key === groupChoice) ?? groups[0];
  const groupRuns = useMemo(() => records.filter((r) => group && groupKey(r) === group.key), [records, group]);
  const missingBaseline = groups.filter((g) => !records.some((r) => groupKey(r) === g.key && r.strategy === 'inline'));
  const chosen = compared.filter((c) => selected.has(c.record.id));
  const exported = chosen.length > 0 ? chosen : compared;

  async function saveScript(runId: string) {
    try {
      const script = await api.exportScript(runId);
      downloadText(script.fileName, script.text, 'text/x-python');
    } catch (failure) {
      notifyError(toErrorInfo(failure), 'Exporting the script');
    }
  }

  function toggle(id: string) {
    setSelected((all) => toggled(all, id));
  }

  return (
    <div className="compare-view" data-testid="compare-view">
      <div className="view-header">
        <h2 className="object-title">Runs <span className="muted">({records.length}{records.length !== allRecords.length ? ` of ${allRecords.length}` : ''})</span></h2>
        {(hiddenRuns > 0 || showAll) && (
          <label className="inline-field small" data-testid="show-all-runs">
            <input type="checkbox" checked={showAll} onChange={(event) => setShowAll(event.target.checked)} />
            Show runs of files not open{hiddenRuns > 0 ? ` (${hiddenRuns})` : ''}
          </label>
        )}
        <span className="toolbar-spacer" />
        <button type="button" disabled={records.length === 0} data-testid="export-csv"
          onClick={() => downloadText(`${exportName('h5blocks-runs', String(exported.length))}.csv`, runsToCsv(exported), 'text/csv')}>
          Export CSV{chosen.length > 0 ? ` (${chosen.length})` : ''}
        </button>
        <button type="button" disabled={records.length === 0} data-testid="export-json"
          onClick={() => downloadText(`${exportName('h5blocks-runs', String(exported.length))}.json`, runsToJson(exported), 'application/json')}>
          Export JSON{chosen.length > 0 ? ` (${chosen.length})` : ''}
        </button>
        <button type="button" className="danger-quiet" disabled={allRecords.length === 0} onClick={() => {
          if (window.confirm('Forget every run in the history? Output datasets in your files stay.')) {
            setSelected(new Set());
            forgetMatrix();
            void clear();
          }
        }}>
          Clear history
        </button>
      </div>

      {matrix && <MatrixResults outcome={matrix} />}
      {records.length === 0 ? (
        <p className="muted">{allRecords.length > 0 ? 'No runs of the open files yet (earlier runs of other files are hidden).' : 'No runs yet.'} Run a computation in the <strong>Run</strong> tab, or a matrix of them below.</p>
      ) : (
        <>
          {missingBaseline.length > 0 && (
            <p className="muted small" data-testid="baseline-hint">
              Speedup needs an inline run as its baseline: run <strong>inline</strong> once on {missingBaseline.map((g) => g.label).join(', ')}.
            </p>
          )}
          <TradeOffs strategies={[...new Set(records.map((r) => r.strategy))]} />
          <RunsTable runs={compared} selected={selected} onToggle={toggle} highlightIds={winnerRuns} onShowTimeline={showTimeline}
            onExportScript={(id) => void saveScript(id)} />
          <p className="muted small">Select two or more runs to see their timelines side by side; exports take the selected runs, or all of them.</p>
        </>
      )}

      {chosen.length >= 2 && (
        <section aria-label="Timelines side by side" data-testid="side-by-side">
          <h3 className="section-title">Timelines on one time scale</h3>
          <PhaseLegend phases={PHASES.filter((phase) => chosen.some((c) => presentPhases(c.record).includes(phase)))} />
          {chosen.map(({ record }) => (
            <div key={record.id} className="side-by-side-item">
              <p className="small"><strong>{runLabel(record)}</strong></p>
              <TimelineChart run={timelineFromRecord(record)} xMax={Math.max(...chosen.map((c) => c.record.wallMs))} compact />
            </div>
          ))}
        </section>
      )}

      {group && (
        <section aria-label="Throughput">
          <div className="view-header">
            <h3 className="section-title">Throughput by strategy and workers</h3>
            {groups.length > 1 && (
              <select aria-label="File and dataset" value={group.key} onChange={(event) => setGroupChoice(event.target.value)}>
                {groups.map((g) => <option key={g.key} value={g.key}>{g.label}</option>)}
              </select>
            )}
          </div>
          <ThroughputChart runs={groupRuns} />
        </section>
      )}

      <section aria-label="Run matrix">
        <h3 className="section-title">Run matrix</h3>
        <RunMatrix />
      </section>
    </div>
  );
}
