// The timeline's data, independent of how it is drawn: lanes, bars, per-block
// rows, totals and a histogram, for a finished run or one still going.

import type { RunRecord } from '@shared/api';
import { PHASES, compareLanes, isDaskLane, type ActiveSpan, type BlockTiming, type Lane, type Phase, type PhaseSpan, type PhaseTotal, type Strategy } from '@shared/run';

/** What a timeline needs, whether the run is finished or still sending progress. */
export interface TimelineRun {
  id: string;
  label: string;
  strategy: Strategy;
  workers: number;
  rows: number;
  wallMs: number;
  blocks: BlockTiming[];
  runPhases: PhaseSpan[];
  finished: boolean;
  /** A live run's work under way, each span ending now (the engine's `active` report, drawn up to the clock). */
  active?: ActiveBar[];
}

/** A phase a live run's lane is in now, drawn from its start to the clock. */
export interface ActiveBar extends PhaseSpan {
  block?: number;
}

export function timelineFromRecord(record: RunRecord): TimelineRun {
  return {
    id: record.id,
    label: runLabel(record),
    strategy: record.strategy,
    workers: record.workers,
    rows: record.rows,
    wallMs: record.wallMs,
    blocks: record.blocks,
    runPhases: record.runPhases,
    finished: true,
  };
}

export function runLabel(run: { fileName: string; dataset: string; strategy: Strategy; workers: number; blockRows?: number }): string {
  const workers = run.strategy === 'inline' ? 'main thread' : `${run.workers} worker${run.workers === 1 ? '' : 's'}`;
  const blocks = run.blockRows === undefined ? 'default blocks' : `${run.blockRows.toLocaleString('en-US')}-row blocks`;
  return `${run.fileName} ${run.dataset} · ${run.strategy} · ${workers} · ${blocks}`;
}

export interface LaneRow {
  /** null for a worker that received no block. */
  lane: Lane | null;
  label: string;
  detail: string;
}

function laneKey(lane: Lane): string {
  return lane === 'main' ? 'main' : isDaskLane(lane) ? `d${lane}` : `t${lane}`;
}

/**
 * Main first, then one row per worker thread in thread-id order, named
 * "worker 1…n". A finished pool or shard run with workers that never got a
 * block shows them as idle rows, so there is always one lane per worker.
 * A Dask run has one row per Dask worker, named by its address.
 */
export function timelineLanes(run: TimelineRun): LaneRow[] {
  const threads = new Set<Lane>();
  for (const span of [...allSpans(run), ...(run.active ?? [])]) if (span.lane !== 'main') threads.add(span.lane);
  const rows: LaneRow[] = [{ lane: 'main', label: 'main', detail: 'main thread: reads, writes and merges in block order' }];
  let thread = 0;
  for (const lane of [...threads].sort(compareLanes)) {
    if (isDaskLane(lane)) rows.push({ lane, label: lane.replace(/^[a-z]+:\/\//, ''), detail: `Dask worker ${lane}` });
    else rows.push({ lane, label: `worker ${++thread}`, detail: `worker thread ${lane}` });
  }
  // A Dask cluster's size is its own, not the run's worker count: no idle rows to invent. A live run
  // has every worker's row from its first moment; those without a finished block yet are starting.
  if (run.strategy !== 'inline' && run.strategy !== 'dask') {
    const detail = run.finished ? 'idle: received no block' : 'starting up or on its first block';
    for (let i = threads.size; i < run.workers; i++) rows.push({ lane: null, label: `worker ${i + 1}`, detail });
  }
  return rows;
}

/** Work under way on a live run's lane: from the end of its last finished span (or the run's start) to now. */
export interface PendingBar {
  lane: number;
  start: number;
  end: number;
}

/**
 * What each lane of a live run is busy with but has not reported yet: a block
 * reports its phases when it is done, so the time since a lane's last report
 * is drawn as work in progress (start-up and first block on a new worker).
 */
export function pendingBars(run: TimelineRun, lanes: LaneRow[]): PendingBar[] {
  if (run.finished) return [];
  const lastEnd = new Array<number>(lanes.length).fill(0);
  const find = laneFinder(lanes);
  for (const span of allSpans(run)) {
    if (span.phase === 'queue') continue;
    const row = find(span.lane);
    lastEnd[row] = Math.max(lastEnd[row], span.end);
  }
  // A lane whose current phase the engine reported draws that phase instead (activeBars).
  const reported = new Set((run.active ?? []).map((span) => find(span.lane)));
  // Inline and pool runs keep the main thread busy; the workers' rows are what shard-like runs add.
  const busyRows = lanes.map((_, i) => i).filter((i) => !reported.has(i) && (i > 0 || run.strategy === 'inline' || run.strategy === 'pool'));
  return busyRows.filter((i) => run.wallMs - lastEnd[i] > 0).map((lane) => ({ lane, start: lastEnd[lane], end: run.wallMs }));
}

export function laneIndex(lanes: LaneRow[]): Map<string, number> {
  const index = new Map<string, number>();
  lanes.forEach((row, i) => row.lane !== null && index.set(laneKey(row.lane), i));
  return index;
}

/** A lane's row, looked up in an index built once (a run's blocks ask hundreds of times). */
export function laneFinder(lanes: LaneRow[]): (lane: Lane) => number {
  const index = laneIndex(lanes);
  return (lane) => index.get(laneKey(lane)) ?? 0;
}

export function allSpans(run: Pick<TimelineRun, 'blocks' | 'runPhases'>): PhaseSpan[] {
  return [...run.runPhases, ...run.blocks.flatMap((block) => block.phases)];
}

export interface Bar {
  lane: number;
  phase: Phase;
  start: number;
  end: number;
  /** Index into run.blocks, or -1 for a phase of the whole run. */
  block: number;
  /** A live run's phase still under way (its end is the clock); `activeBlock` names its block when it is a block's. */
  inProgress?: boolean;
  activeBlock?: number;
}

export function timelineBars(run: TimelineRun, lanes: LaneRow[]): Bar[] {
  const index = laneIndex(lanes);
  const bars: Bar[] = run.runPhases.map((span) => ({ lane: index.get(laneKey(span.lane)) ?? 0, phase: span.phase, start: span.start, end: span.end, block: -1 }));
  run.blocks.forEach((block, b) => {
    for (const span of block.phases) bars.push({ lane: index.get(laneKey(span.lane)) ?? 0, phase: span.phase, start: span.start, end: span.end, block: b });
  });
  for (const span of run.active ?? []) {
    bars.push({ lane: index.get(laneKey(span.lane)) ?? 0, phase: span.phase, start: span.start, end: Math.max(span.start, span.end), block: -1, inProgress: true, ...(span.block !== undefined ? { activeBlock: span.block } : {}) });
  }
  return bars;
}

/** A block's worker: the thread that computed it (inline: main). */
export function blockWorkerLane(block: BlockTiming): Lane {
  return (block.phases.find((span) => span.phase === 'compute') ?? block.phases[0])?.lane ?? 'main';
}

/** From the first real work on the block (queue wait excluded) to its last phase. */
export function blockDuration(block: BlockTiming): number {
  const work = block.phases.filter((span) => span.phase !== 'queue');
  if (work.length === 0) return 0;
  return Math.max(...work.map((s) => s.end)) - Math.min(...work.map((s) => s.start));
}

/**
 * Where the block's bars start: its first real work (queue wait, drawn as the
 * thin line under the lane, excluded), the same span blockDuration measures.
 */
export function blockStart(block: BlockTiming): number {
  const work = block.phases.filter((span) => span.phase !== 'queue');
  return Math.min(...(work.length > 0 ? work : block.phases).map((s) => s.start));
}

export function blockEnd(block: BlockTiming): number {
  return Math.max(...block.phases.map((s) => s.end));
}

export function phaseMs(block: BlockTiming, phase: Phase): number {
  return block.phases.filter((s) => s.phase === phase).reduce((sum, s) => sum + (s.end - s.start), 0);
}

/** The phases present in a run, in pipeline order. */
export function presentPhases(run: Pick<TimelineRun, 'blocks' | 'runPhases' | 'active'>): Phase[] {
  const seen = new Set([...allSpans(run), ...(run.active ?? [])].map((s) => s.phase));
  return PHASES.filter((p) => seen.has(p));
}

/** Totals per phase, as the engine's summary computes them (works for a run still going). */
export function phaseTotals(run: Pick<TimelineRun, 'blocks' | 'runPhases'>): PhaseTotal[] {
  const totals = new Map<Phase, number>();
  for (const span of allSpans(run)) totals.set(span.phase, (totals.get(span.phase) ?? 0) + Math.max(0, span.end - span.start));
  return PHASES.filter((p) => totals.has(p)).map((phase) => ({ phase, ms: totals.get(phase) ?? 0 }));
}

export interface LaneBusy {
  label: string;
  detail: string;
  busyMs: number;
  utilisation: number;
}

/** Busy time per lane (queue wait is not work) over the run's wall time so far. */
export function laneUtilisation(run: TimelineRun, lanes: LaneRow[]): LaneBusy[] {
  const busy = new Map<string, number>();
  for (const span of allSpans(run)) {
    if (span.phase === 'queue') continue;
    const key = laneKey(span.lane);
    busy.set(key, (busy.get(key) ?? 0) + Math.max(0, span.end - span.start));
  }
  return lanes.map((row) => {
    const busyMs = row.lane === null ? 0 : (busy.get(laneKey(row.lane)) ?? 0);
    return { label: row.label, detail: row.detail, busyMs, utilisation: run.wallMs > 0 ? busyMs / run.wallMs : 0 };
  });
}

export interface Histogram {
  /** Bin edges, one more than the counts. */
  edges: number[];
  counts: number[];
}

/** Equal-width bins; the count follows the square-root rule, between 1 and 30. */
export function histogram(values: number[], maxBins = 30): Histogram {
  if (values.length === 0) return { edges: [], counts: [] };
  // reduce, not Math.min(...values): a spread of 100,000 values overflows the call stack.
  const min = values.reduce((a, b) => Math.min(a, b), Infinity);
  const max = values.reduce((a, b) => Math.max(a, b), -Infinity);
  if (max === min) return { edges: [min, max], counts: [values.length] };
  const bins = Math.max(1, Math.min(maxBins, Math.ceil(Math.sqrt(values.length))));
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) counts[Math.min(bins - 1, Math.floor((value - min) / width))]++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  return { edges, counts };
}

/** The engine's report of work under way, as bars ending at `now` (ms since the run started). */
export function activeBars(active: ActiveSpan[] | undefined, now: number): ActiveBar[] {
  return (active ?? []).map(({ phase, lane, step, start, block }) => ({ phase, lane, start, end: Math.max(start, now), ...(step ? { step } : {}), ...(block !== undefined ? { block } : {}) }));
}
