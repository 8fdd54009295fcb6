import { useDeferredValue, useMemo } from 'react';
import { useStaged } from '../ui/useStaged';
import { useThrottledValue } from '../ui/useThrottledValue';
import type { RunRecord } from '@shared/api';
import { useNavigation } from '../app/navigation';
import { runToChromeTrace } from '../export/chromeTrace';
import { downloadText, exportName } from '../export/download';
import { formatDuration, formatInteger, formatNumber, formatRate } from '../format/units';
import { liveStage } from '../run/RunProgress';
import { useRuns, type LiveRun } from '../run/runsStore';
import { useNow } from '../ui/useNow';
import { BlocksTable } from './BlocksTable';
import { DurationHistogram } from './DurationHistogram';
import { activeBars, laneUtilisation, phaseTotals, presentPhases, runLabel, timelineFromRecord, timelineLanes, type TimelineRun } from './model';
import { PhaseLegend } from './PhaseLegend';
import { PhaseTotalsTable, UtilisationTable } from './RunSummaryTables';
import { TimelineChart } from './TimelineChart';

const LIVE_REDRAW_MS = 1000;
/** Past this many blocks the details under the chart mount one part per frame. */
const STAGED_BLOCKS = 150;
/** What a staged part takes on screen (the histogram's height, the block table's CSS max-height, which a staged run fills). */
const HISTOGRAM_HEIGHT = 220;
const BLOCKS_TABLE_HEIGHT = 360;

/** A live run as far as it has gone: its planned lanes from the first moment, its time up to `now`. */
function timelineFromLive(live: LiveRun, now: number): TimelineRun {
  const reported = live.blocks.reduce((max, block) => block.phases.reduce((m, span) => Math.max(m, span.end), max), Math.max(live.progress?.elapsedMs ?? 0, live.activity?.elapsedMs ?? 0));
  const wallMs = Math.max(reported, now - live.startedAtMs);
  return {
    id: live.runId,
    label: `${runLabel({ fileName: live.fileName, ...live.params })} (running)`,
    strategy: live.params.strategy,
    workers: live.plan?.workers ?? (live.params.strategy === 'inline' ? 1 : live.params.workers),
    rows: live.progress?.rowsTotal ?? live.plan?.rows ?? 0,
    wallMs,
    blocks: live.blocks,
    runPhases: live.activity?.runPhases ?? [],
    finished: false,
    active: activeBars(live.activity?.active, wallMs),
  };
}

/** How often a live run's clock ticks on screen, and how often its chart is redrawn while no block reports. */
const CLOCK_TICK_MS = 250;

export function TimelineView() {
  const { records, live } = useRuns();
  const { timelineRunId, showTimeline } = useNavigation();
  const newestFirst = useMemo(() => [...records].sort((a, b) => b.startedAt.localeCompare(a.startedAt)), [records]);
  const liveRunning = live?.status === 'running' ? live : null;
  // Follow the live run, then the newest record, unless the user picked one.
  const chosenId = timelineRunId ?? liveRunning?.runId ?? newestFirst[0]?.id ?? null;
  const record = newestFirst.find((r) => r.id === chosenId) ?? (live?.result?.id === chosenId ? live.result : null);
  // A live run redraws once a second: each redraw costs the page (and the run, on a busy machine) more than it tells.
  const liveShown = useThrottledValue(live, LIVE_REDRAW_MS, live?.status !== 'running');
  const following = !record && liveShown?.runId === chosenId && liveShown.status === 'running';
  const clock = useNow(CLOCK_TICK_MS, following);
  const chartNow = useNow(LIVE_REDRAW_MS, following);
  const run = useMemo<TimelineRun | null>(() => {
    if (record) return timelineFromRecord(record);
    if (liveShown && liveShown.runId === chosenId) return timelineFromLive(liveShown, chartNow);
    return null;
  }, [record, liveShown, chosenId, chartNow]);

  if (!run) {
    return (
      <div className="empty-state">
        <p>No run yet. Start one in the <strong>Run</strong> tab; its timeline is drawn here while it goes.</p>
      </div>
    );
  }
  return (
    <div className="timeline-view" data-testid="timeline-view">
      <div className="view-header">
        <label className="inline-field grow">
          Run
          <select value={chosenId ?? ''} onChange={(event) => showTimeline(event.target.value)} data-testid="timeline-run-picker">
            {liveRunning && !record && <option value={liveRunning.runId}>Live: {timelineFromLive(liveRunning, clock).label}</option>}
            {newestFirst.map((r) => <option key={r.id} value={r.id}>{new Date(r.startedAt).toLocaleTimeString('en-GB')} · {runLabel(r)}</option>)}
          </select>
        </label>
        {record && <ExportTraceButton record={record} />}
      </div>
      {following && liveShown && <LiveStage live={liveShown} elapsedMs={Math.max(run.wallMs, clock - liveShown.startedAtMs)} />}
      <RunTimeline run={run} record={record} clockMs={following && liveShown ? Math.max(run.wallMs, clock - liveShown.startedAtMs) : undefined} />
    </div>
  );
}

/** What a live run is doing, in words, above its chart. */
function LiveStage({ live, elapsedMs }: { live: LiveRun; elapsedMs: number }) {
  return <p className="live-stage" data-testid="timeline-live-stage">{liveStage(live)} · {formatDuration(elapsedMs)} elapsed</p>;
}

function ExportTraceButton({ record }: { record: RunRecord }) {
  return (
    <button
      type="button"
      title="Chrome trace event JSON: open it at ui.perfetto.dev"
      onClick={() => downloadText(`${exportName(record.fileName, record.strategy, record.id)}.trace.json`, JSON.stringify(runToChromeTrace(record)), 'application/json')}
    >
      Export trace (Perfetto)
    </button>
  );
}

export function RunTimeline({ run: latestRun, record, clockMs }: { run: TimelineRun; record: RunRecord | null; clockMs?: number }) {
  // While a run streams in, React may skip intermediate states of this heavy view to keep the app responsive.
  const run = useDeferredValue(latestRun);
  const lanes = useMemo(() => timelineLanes(run), [run]);
  const totals = useMemo(() => record?.summary.phaseTotals ?? phaseTotals(run), [record, run]);
  const utilisation = useMemo(() => laneUtilisation(run, lanes), [run, lanes]);
  const phases = useMemo(() => presentPhases(run), [run]);
  return (
    <>
      <div className="stat-row" data-testid="timeline-stats">
        <Stat label={clockMs === undefined ? 'Wall time' : 'Elapsed'} value={formatDuration(clockMs ?? run.wallMs)} testId="timeline-clock" />
        <Stat label="Blocks" value={formatInteger(run.blocks.length)} />
        <Stat label="Rows" value={formatInteger(run.rows)} />
        {record && <Stat label="Throughput" value={formatRate(record.summary.rowsPerSecond, 'rows/s')} />}
        {record && <Stat label="Input rate" value={`${formatNumber(record.summary.mbPerSecond, 3)} MB/s`} />}
        <Stat label="Lanes" value={`${lanes.length}`} />
      </div>
      <PhaseLegend phases={phases} />
      <TimelineChart run={run} />
      <p className="muted small">Scroll over the chart to zoom, drag to pan, or use the slider (on a large or live run, double-click to see it whole). Thin bars under a lane are blocks waiting for that worker.</p>
      {run.finished ? <RunDetails run={run} totals={totals} utilisation={utilisation} lanes={lanes} /> : (
        <p className="muted small" data-testid="timeline-live-note">Phase totals, utilisation, durations and the block table appear when the run ends.</p>
      )}
    </>
  );
}

/**
 * The tables and histogram under the chart: drawn once a run has ended, not on
 * every live update, and one part per frame, so the end of a run of thousands
 * of blocks does not freeze the page while they all mount.
 */
function RunDetails({ run, totals, utilisation, lanes }: {
  run: TimelineRun; totals: ReturnType<typeof phaseTotals>; utilisation: ReturnType<typeof laneUtilisation>; lanes: ReturnType<typeof timelineLanes>;
}) {
  const stage = useStaged(3, run.id, run.blocks.length > STAGED_BLOCKS);
  return (
    <>
      <div className="two-columns">
        <section aria-label="Phase totals">
          <h3 className="section-title">Time per phase</h3>
          <PhaseTotalsTable totals={totals} />
        </section>
        <section aria-label="Worker utilisation">
          <h3 className="section-title">Lane utilisation</h3>
          <UtilisationTable lanes={utilisation} />
        </section>
      </div>
      <section aria-label="Block durations">
        <h3 className="section-title">Block durations</h3>
        {stage >= 2 ? <DurationHistogram run={run} height={HISTOGRAM_HEIGHT} /> : <Reserved height={HISTOGRAM_HEIGHT} />}
      </section>
      <section aria-label="Blocks">
        <h3 className="section-title">Blocks</h3>
        {stage >= 3 ? <BlocksTable run={run} lanes={lanes} /> : <Reserved height={BLOCKS_TABLE_HEIGHT} />}
      </section>
    </>
  );
}

/**
 * The room a part still to come will take. The page reaches its final height
 * with the first part, so the panel's scrollbar appears then, not under a chart
 * that has just been drawn (the narrower panel would make it draw again).
 */
function Reserved({ height }: { height: number }) {
  return <div className="reserved" style={{ height }} aria-hidden="true" />;
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
    </div>
  );
}
