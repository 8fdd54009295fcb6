import { formatDuration, formatInteger, formatRate } from '../format/units';
import { describeEta } from './runPlan';
import { useRuns, type LiveRun } from './runsStore';

/** The current (or last) run: progress, rates, and its Cancel button, whatever is selected in the tree meanwhile. */
export function RunProgressBar({ live }: { live: LiveRun }) {
  const { cancel } = useRuns();
  const progress = live.progress;
  const done = progress?.blocksDone ?? 0;
  const total = progress?.blocksTotal ?? 0;
  const fraction = live.status === 'finished' ? 1 : total > 0 ? done / total : 0;
  const label = `${live.fileName} ${live.params.dataset} · ${live.params.strategy}`;
  return (
    <div className="run-progress" data-testid="run-progress" data-status={live.status}>
      <div className="run-progress-label">
        <strong>{label}</strong>
        <span className="muted small run-progress-state">
          {live.status === 'running' && (progress ? describeEta(progress.etaMs) : 'starting…')}
          {live.status === 'finished' && live.result && `finished in ${formatDuration(live.result.wallMs)}`}
          {live.status === 'failed' && (live.error?.code === 'aborted' ? 'cancelled' : 'failed')}
          {live.status === 'running' && (
            <button type="button" onClick={() => void cancel()} data-testid="cancel-button">Cancel</button>
          )}
        </span>
      </div>
      <div
        className={`progress-track ${live.error?.code === 'aborted' ? 'cancelled' : live.status}`}
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={Math.max(total, 1)}
        aria-valuenow={live.status === 'finished' ? Math.max(total, 1) : done}
        aria-valuetext={`${done} of ${total} blocks`}
      >
        <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      <div className="run-progress-stats small" data-testid="run-stats">
        <span>{formatInteger(done)} / {formatInteger(total)} blocks</span>
        <span>{formatInteger(progress?.rowsDone ?? 0)} / {formatInteger(progress?.rowsTotal ?? 0)} rows</span>
        <span>{formatRate(live.result?.summary.rowsPerSecond ?? progress?.rowsPerSecond ?? 0, 'rows/s')}</span>
        <span>{formatDuration(live.result?.wallMs ?? progress?.elapsedMs ?? 0)} elapsed</span>
      </div>
      {live.status === 'failed' && live.error && live.error.code !== 'aborted' && (
        <p className="inline-error" role="alert">{live.error.message}</p>
      )}
    </div>
  );
}
