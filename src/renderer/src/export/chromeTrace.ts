// A run as Chrome trace event JSON, for Perfetto (ui.perfetto.dev) or chrome://tracing.
//
// Perfetto nests complete ("X") events on one track by time and rejects partial
// overlaps, so the layout is:
//   - one track per lane (main, worker 1…n), named with "M" thread_name events;
//   - each block appears on a lane as an enclosing "block N" event whose children
//     are its phases on that lane, one after another, never overlapping;
//   - a block whose phases on a lane are interleaved with other blocks' (the main
//     thread reads block 3 between block 1's read and write) gets one enclosing
//     event per uninterrupted stretch;
//   - where stretches still overlap (a result waiting for the main thread while
//     the worker computes the next block), the later one moves to an extra track
//     beside its lane ("worker 1 ·2");
//   - queue wait, which overlaps freely, goes on its own "queue" tracks per lane.
// Times are microseconds since the run started.

import { PHASES, compareLanes, isDaskLane, type BlockTiming, type Lane, type PhaseSpan, type RunResult } from '@shared/run';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, string | number>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}

const PID = 1;

/** Milliseconds to microseconds, kept to whole nanoseconds so sums and comparisons stay exact enough. */
export function toMicroseconds(ms: number): number {
  return Math.round(ms * 1e6) / 1e3;
}

interface Stretch {
  block: BlockTiming | null;
  spans: PhaseSpan[];
  ts: number;
  end: number;
}

/** Names for lanes: main, then worker 1…n in thread-id order, then Dask workers by address (as the timeline shows them). */
export function laneNames(run: Pick<RunResult, 'blocks' | 'runPhases'>): Map<Lane, string> {
  const workers = new Set<Lane>();
  for (const span of [...run.runPhases, ...run.blocks.flatMap((b) => b.phases)]) if (span.lane !== 'main') workers.add(span.lane);
  const names = new Map<Lane, string>([['main', 'main']]);
  let thread = 0;
  for (const lane of [...workers].sort(compareLanes)) {
    names.set(lane, isDaskLane(lane) ? `dask worker ${lane}` : `worker ${++thread} (thread ${lane})`);
  }
  return names;
}

export function runToChromeTrace(run: RunResult): ChromeTrace {
  const names = laneNames(run);
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: `h5blocks ${run.strategy} run ${run.id}` } },
  ];
  let nextTid = 1;
  const track = (name: string): number => {
    const tid = nextTid++;
    events.push({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name } });
    events.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid, args: { sort_index: tid } });
    return tid;
  };

  for (const [lane, laneName] of names) {
    const spans = collectSpans(run, lane);
    const work = stretches(spans.filter(({ span }) => span.phase !== 'queue'));
    placeOnTracks(work, laneName, track, (stretch, tid) => events.push(...stretchEvents(stretch, tid)));
    const waits = spans
      .filter(({ span }) => span.phase === 'queue')
      .map(({ span, block }) => ({ block, spans: [span], ts: toMicroseconds(span.start), end: toMicroseconds(span.end) }));
    placeOnTracks(waits, `${laneName} · queue`, track, (wait, tid) => events.push({
      name: 'queue', cat: 'queue', ph: 'X', pid: PID, tid, ts: wait.ts, dur: wait.end - wait.ts,
      args: { block: wait.block?.index ?? -1 },
    }));
  }

  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      run: run.id, file: run.file, dataset: run.dataset, output: run.output, strategy: run.strategy,
      workers: run.workers, blockRows: run.blockRows, rows: run.rows, wallMs: run.wallMs, startedAt: run.startedAt,
      outputSha256: run.outputSha256,
    },
  };
}

function collectSpans(run: RunResult, lane: Lane): { span: PhaseSpan; block: BlockTiming | null }[] {
  const spans: { span: PhaseSpan; block: BlockTiming | null }[] = [];
  for (const span of run.runPhases) if (span.lane === lane) spans.push({ span, block: null });
  for (const block of run.blocks) for (const span of block.phases) if (span.lane === lane) spans.push({ span, block });
  const order = (phase: PhaseSpan['phase']) => PHASES.indexOf(phase);
  return spans.sort((a, b) => a.span.start - b.span.start || order(a.span.phase) - order(b.span.phase));
}

/** Consecutive spans of one block, uninterrupted by another block's, form one stretch; run phases stand alone. */
function stretches(spans: { span: PhaseSpan; block: BlockTiming | null }[]): Stretch[] {
  const result: Stretch[] = [];
  for (const { span, block } of spans) {
    const last = result[result.length - 1];
    if (last && block !== null && last.block === block) {
      last.spans.push(span);
      last.end = Math.max(last.end, toMicroseconds(span.end));
    } else {
      result.push({ block, spans: [span], ts: toMicroseconds(span.start), end: toMicroseconds(span.end) });
    }
  }
  return result;
}

/** Greedy interval partitioning: each item goes on the first track of the lane that is free by its start. */
function placeOnTracks<T extends { ts: number; end: number }>(
  items: T[], laneName: string, track: (name: string) => number, emit: (item: T, tid: number) => void,
): void {
  const tracks: { tid: number; end: number }[] = [];
  for (const item of [...items].sort((a, b) => a.ts - b.ts)) {
    let free = tracks.find((t) => t.end <= item.ts);
    if (!free) {
      free = { tid: track(tracks.length === 0 ? laneName : `${laneName} ·${tracks.length + 1}`), end: 0 };
      tracks.push(free);
    }
    free.end = item.end;
    emit(item, free.tid);
  }
}

/** The enclosing block event and its phases, each starting no earlier than the previous one ended. */
function stretchEvents(stretch: Stretch, tid: number): TraceEvent[] {
  const { block } = stretch;
  const children: TraceEvent[] = [];
  let cursor = stretch.ts;
  for (const span of stretch.spans) {
    const ts = Math.max(cursor, toMicroseconds(span.start));
    const end = Math.min(stretch.end, Math.max(ts, toMicroseconds(span.end)));
    children.push({
      name: span.phase, cat: 'phase', ph: 'X', pid: PID, tid, ts, dur: end - ts,
      args: block ? { block: block.index } : {},
    });
    cursor = end;
  }
  if (!block) return children;
  return [
    {
      name: `block ${block.index}`, cat: 'block', ph: 'X', pid: PID, tid, ts: stretch.ts, dur: stretch.end - stretch.ts,
      args: {
        block: block.index, rowStart: block.rowStart, rowEnd: block.rowEnd, rows: block.rowEnd - block.rowStart,
        bytesIn: block.bytesIn, bytesOut: block.bytesOut,
      },
    },
    ...children,
  ];
}
