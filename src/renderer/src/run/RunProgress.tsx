import type { ActiveSpan } from '@shared/run';
import { formatDuration, formatInteger, formatRate } from '../format/units';
import { useNow } from '../ui/useNow';
import { describeEta } from './runPlan';
import { useRuns, type LiveRun } from './runsStore';

/**
 * What a running run is doing, in words: until its first block reports,
 * starting its workers (or the cluster); then how far the blocks are.
 */
export function liveStage(live: LiveRun): string {
  const { strategy } = live.params;
  const workers = live.plan?.workers ?? live.params.workers;
  const total = live.progress?.blocksTotal ?? live.plan?.blocks;
  const blocks = total === undefined ? 'its blocks' : `${formatInteger(total)} block${total === 1 ? '' : 's'}`;
  const now = live.activity ? activityInWords(live.activity.active, total) : null;
  if (now) return now;
  if (!live.progress) {
    if (strategy === 'inline') return `reading and computing ${blocks} on the main thread…`;
    if (strategy === 'dask') return live.params.scheduler ? `sending ${blocks} to the Dask cluster…` : `starting a local Dask cluster of ${workers} worker${workers === 1 ? '' : 's'}…`;
    return `starting ${workers} worker${workers === 1 ? '' : 's'} for ${blocks}…`;
  }
  const { blocksDone, blocksTotal } = live.progress;
  return (blocksDone >= blocksTotal ? 'all blocks written; committing the file…' : `${formatInteger(blocksDone)} of ${formatInteger(blocksTotal)} blocks done`);
}

/** What the lanes are doing now (the engine's `active` report), the most telling first; null when it reported nothing. */
function activityInWords(active: ActiveSpan[], blocksTotal: number | undefined): string | null {
  const of = blocksTotal === undefined ? '…' : ` of ${formatInteger(blocksTotal)}…`;
  // Blocks are counted from 1 in words ("block 1 of 40"), as a user counts them.
  const blocks = (phase: string) => [...new Set(active.filter((span) => span.phase === phase && span.block !== undefined).map((span) => span.block! + 1))].sort((a, b) => a - b);
  const named = (verb: string, list: number[]) => `${verb} block${list.length === 1 ? '' : 's'} ${list.map(formatInteger).join(', ')}${of}`;
  if (active.some((span) => span.lane === 'main' && span.phase === 'commit')) return 'all blocks written; committing the file…';
  // A pool worker's thread starting, or a shard worker loading HDF5 (h5wasm) before its first block.
  const starting = active.filter((span) => (span.phase === 'start' || span.phase === 'init') && span.lane !== 'main').length;
  const reading = blocks('read');
  const computing = blocks('compute');
  const parts: string[] = [];
  if (starting > 0) parts.push(`starting ${starting} worker${starting === 1 ? '' : 's'}…`);
  if (reading.length > 0) parts.push(named('reading', reading));
  if (computing.length > 0) parts.push(named('computing', computing));
  const writing = blocks('shard-write');
  if (writing.length > 0) parts.push(named('writing the shard of', writing));
  if (parts.length > 0) return parts.join(' · ');
  if (active.some((span) => span.lane === 'main' && span.phase === 'log')) return 'opening the file and preparing the output…';
  return null;
}

/** The current (or last) run: progress, rates, and its Cancel button, whatever is selected in the tree meanwhile. */
export function RunProgressBar({ live }: { live: LiveRun }) {
  const { cancel } = useRuns();
  const progress = live.progress;
  const done = progress?.blocksDone ?? 0;
  const total = progress?.blocksTotal ?? live.plan?.blocks ?? 0;
  const rowsTotal = progress?.rowsTotal ?? live.plan?.rows ?? 0;
  // The elapsed time ticks on its own: the first block can take seconds to report.
  const now = useNow(250, live.status === 'running');
  const elapsedMs = live.result?.wallMs ?? (live.status === 'running' ? Math.max(progress?.elapsedMs ?? 0, now - live.startedAtMs) : progress?.elapsedMs ?? 0);
  const fraction = live.status === 'finished' ? 1 : total > 0 ? done / total : 0;
  const label = `${live.fileName} ${live.params.dataset} · ${live.params.strategy}`;
  return (
    <div className="run-progress" data-testid="run-progress" data-status={live.status}>
      <div className="run-progress-label">
        <strong>{label}</strong>
        <span className="muted small run-progress-state">
          {live.status === 'running' && <span data-testid="run-stage">{liveStage(live)}{progress ? ` · ${describeEta(progress.etaMs)}` : ''}</span>}
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
        <span>{formatInteger(progress?.rowsDone ?? 0)} / {formatInteger(rowsTotal)} rows</span>
        <span>{formatRate(live.result?.summary.rowsPerSecond ?? progress?.rowsPerSecond ?? 0, 'rows/s')}</span>
        <span data-testid="run-elapsed">{formatDuration(elapsedMs)} elapsed</span>
      </div>
      {live.status === 'failed' && live.error && live.error.code !== 'aborted' && (
        <p className="inline-error" role="alert">{live.error.message}</p>
      )}
    </div>
  );
}
