// The renderer's pure builders: the Perfetto trace, the runs CSV/JSON, speedups and the bottleneck verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../src/renderer/src/compare/bottleneck';
import { matrixConfigs, parseBlockSizes, parseRepeats, parseWorkerCounts } from '../src/renderer/src/compare/matrix';
import { matrixSchedule } from '../src/renderer/src/compare/matrixRunner';
import { median, rankConfigurations } from '../src/renderer/src/compare/matrixResults';
import { matrixVerdict } from '../src/renderer/src/compare/matrixVerdict';
import { formatRate } from '../src/renderer/src/format/units';
import { compareRuns } from '../src/renderer/src/compare/metrics';
import { runToChromeTrace, toMicroseconds, type TraceEvent } from '../src/renderer/src/export/chromeTrace';
import { CSV_COLUMNS, runsToCsv, runsToJson } from '../src/renderer/src/export/runsTable';
import type { RunRecord } from '../src/shared/api';
import type { BlockTiming, RunResult } from '../src/shared/run';
import { asRecords, realRun } from './ui-fakeApi';
import { removeTempFolders } from './support/files';

let inline: RunResult;
let pool: RunResult;
let shard: RunResult;

beforeAll(() => {
  inline = realRun('coords_1k.h5', 'inline', 1, 200);
  pool = realRun('coords_1k.h5', 'pool', 2, 200);
  shard = realRun('coords_1k.h5', 'shard', 2, 200);
});
afterAll(removeTempFolders);

/** Perfetto's rule: on one track, complete events are nested or disjoint, never partly overlapping. */
function nestingViolations(events: TraceEvent[]): string[] {
  const problems: string[] = [];
  const byTrack = new Map<number, TraceEvent[]>();
  for (const event of events.filter((e) => e.ph === 'X')) byTrack.set(event.tid, [...(byTrack.get(event.tid) ?? []), event]);
  for (const [tid, list] of byTrack) {
    const sorted = [...list].sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!);
    const open: TraceEvent[] = [];
    for (const event of sorted) {
      while (open.length && open[open.length - 1].ts! + open[open.length - 1].dur! <= event.ts!) open.pop();
      const parent = open[open.length - 1];
      if (parent && event.ts! + event.dur! > parent.ts! + parent.dur! + 1e-9) {
        problems.push(`tid ${tid}: ${event.name} [${event.ts}, ${event.ts! + event.dur!}] overlaps ${parent.name} [${parent.ts}, ${parent.ts! + parent.dur!}]`);
      }
      open.push(event);
    }
  }
  return problems;
}

function threadNames(events: TraceEvent[]): Map<number, string> {
  return new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args?.name)]));
}

describe('Chrome trace export', () => {
  for (const which of ['inline', 'pool', 'shard'] as const) {
    it(`nests every ${which} block's phases inside the block on named tracks, in microseconds`, () => {
      const run = { inline, pool, shard }[which];
      const trace = runToChromeTrace(run);
      const events = trace.traceEvents;
      expect(nestingViolations(events)).toEqual([]);

      const names = threadNames(events);
      for (const event of events.filter((e) => e.ph === 'X')) {
        expect(names.has(event.tid), `track ${event.tid} has a thread_name`).toBe(true);
        expect(event.dur).toBeGreaterThanOrEqual(0);
      }
      expect([...names.values()]).toContain('main');
      const workerTracks = [...names.values()].filter((n) => /^worker \d+ \(thread \d+\)$/.test(n));
      expect(workerTracks.length).toBe(which === 'inline' ? 0 : new Set(run.blocks.flatMap((b) => b.phases).filter((s) => s.lane !== 'main').map((s) => s.lane)).size);

      for (const block of run.blocks) {
        const enclosing = events.filter((e) => e.cat === 'block' && e.args?.block === block.index);
        expect(enclosing.length).toBeGreaterThan(0);
        for (const span of block.phases) {
          const event = events.find((e) => e.name === span.phase && e.args?.block === block.index && e.ts === toMicroseconds(span.start));
          expect(event, `block ${block.index} ${span.phase}`).toBeTruthy();
          // Milliseconds became microseconds.
          expect(event!.ts).toBeCloseTo(span.start * 1000, 2);
          expect(event!.dur).toBeCloseTo((span.end - span.start) * 1000, 2);
          const lane = span.lane === 'main' ? 'main' : `(thread ${span.lane})`;
          expect(names.get(event!.tid)).toContain(lane);
          if (span.phase !== 'queue') {
            // Inside an enclosing block event on the same track.
            expect(enclosing.some((p) => p.tid === event!.tid && p.ts! <= event!.ts! && p.ts! + p.dur! >= event!.ts! + event!.dur! - 1e-9)).toBe(true);
          } else {
            expect(names.get(event!.tid)).toContain('queue');
          }
        }
      }
      expect(trace.otherData).toMatchObject({ run: run.id, strategy: run.strategy, workers: run.workers });
      // What Perfetto loads: plain JSON.
      expect(JSON.parse(JSON.stringify(trace)).traceEvents).toHaveLength(events.length);
    });
  }

  it('moves an overlapping stretch of a block to a second track of its lane instead of overlapping', () => {
    const block = (index: number, phases: [string, number, number][]): BlockTiming => ({
      index, rowStart: index * 10, rowEnd: index * 10 + 10, bytesIn: 80, bytesOut: 40,
      phases: phases.map(([phase, start, end]) => ({ phase: phase as BlockTiming['phases'][number]['phase'], lane: 7, start, end })),
    });
    // Block 0's result waits (transfer) while the worker already computes block 1.
    const run = { ...pool, runPhases: [], blocks: [block(0, [['compute', 1, 2], ['transfer', 2, 5]]), block(1, [['compute', 3, 4]])] };
    const events = runToChromeTrace(run).traceEvents;
    expect(nestingViolations(events)).toEqual([]);
    const names = threadNames(events);
    const trackOf = (blockIndex: number) => names.get(events.find((e) => e.cat === 'block' && e.args?.block === blockIndex)!.tid);
    expect(trackOf(0)).toBe('worker 1 (thread 7)');
    expect(trackOf(1)).toBe('worker 1 (thread 7) ·2');
  });
});

describe('runs CSV and JSON', () => {
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let field = '';
    let row: string[] = [];
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') field += text[i++];
        else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        row.push(field);
        field = '';
      } else if (c === '\r' && text[i + 1] === '\n') {
        row.push(field);
        rows.push(row);
        row = [];
        field = '';
        i++;
      } else field += c;
    }
    return rows;
  }

  it('has a header and one line per run, with the numbers a spreadsheet needs', () => {
    const records = asRecords([inline, pool, shard], '/data/points, run "A".h5');
    const csv = runsToCsv(compareRuns(records));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + records.length);
    for (const [i, record] of records.entries()) {
      const row = Object.fromEntries(CSV_COLUMNS.map((column, c) => [column, rows[i + 1][c]]));
      expect(row.run_id).toBe(record.id);
      expect(row.file).toBe('/data/points, run "A".h5');
      expect(row.strategy).toBe(record.strategy);
      expect(Number(row.wall_ms)).toBe(record.wallMs);
      expect(Number(row.rows_per_second)).toBe(record.summary.rowsPerSecond);
      expect(Number(row.speedup_vs_inline)).toBeCloseTo(inline.wallMs / record.wallMs, 9);
      expect(row.matches_others).toBe('true');
    }
  });

  it('exports JSON with every block timing and the derived speedup', () => {
    const records = asRecords([inline, pool], '/data/coords_1k.h5');
    const parsed = JSON.parse(runsToJson(compareRuns(records))) as { runs: (RunRecord & { speedupVsInline: number })[] };
    expect(parsed.runs).toHaveLength(2);
    expect(parsed.runs[1].blocks).toEqual(pool.blocks);
    expect(parsed.runs[1].speedupVsInline).toBeCloseTo(inline.wallMs / pool.wallMs, 9);
  });
});

describe('comparison numbers', () => {
  it('measures speedup against the fastest inline run of the same file and dataset, and has none without one', () => {
    const slowInline = { ...inline, id: 'slow-inline', wallMs: inline.wallMs * 3 };
    const otherFile = { ...pool, id: 'other', file: '/elsewhere/other.h5' };
    const compared = compareRuns([...asRecords([slowInline, inline, pool], '/data/coords_1k.h5'), ...asRecords([otherFile])]);
    const byId = new Map(compared.map((c) => [c.record.id, c]));
    expect(byId.get(pool.id)!.speedup).toBeCloseTo(inline.wallMs / pool.wallMs, 9);
    expect(byId.get(pool.id)!.efficiency).toBeCloseTo(inline.wallMs / pool.wallMs / 2, 9);
    expect(byId.get(inline.id)!.speedup).toBe(1);
    expect(byId.get('other')!.speedup).toBeNull();
  });

  it('calls a run decompression-bound when reading dominates on a filtered dataset, compute-bound when computing does', () => {
    const totals = (read: number, compute: number, write: number, init = 0) => [
      { phase: 'init' as const, ms: init }, { phase: 'queue' as const, ms: 10_000 }, { phase: 'read' as const, ms: read },
      { phase: 'compute' as const, ms: compute }, { phase: 'write' as const, ms: write },
    ];
    expect(diagnose(totals(80, 10, 10), true).bottleneck).toBe('decompression-bound');
    expect(diagnose(totals(80, 10, 10), false).bottleneck).toBe('I/O-bound');
    expect(diagnose(totals(10, 80, 10), true).bottleneck).toBe('compute-bound');
    expect(diagnose(totals(10, 10, 80), false).bottleneck).toBe('I/O-bound');
    expect(diagnose(totals(5, 5, 5, 85), false).bottleneck).toBe('overhead-bound');
    // Queue wait is not work: 10 s of waiting does not change the verdict or the share.
    expect(diagnose(totals(80, 10, 10), true).share).toBeCloseTo(0.8, 9);
  });

  it('builds the run matrix without repeating inline for every worker count', () => {
    const workers = parseWorkerCounts('1, 2, 2', 4);
    const sizes = parseBlockSizes('default, 200');
    expect(workers).toEqual([1, 2]);
    expect(sizes).toEqual([undefined, 200]);
    const configs = matrixConfigs(['inline', 'pool', 'shard'], workers as number[], sizes as (number | undefined)[]);
    expect(configs.filter((c) => c.strategy === 'inline')).toEqual([
      { strategy: 'inline', workers: 1, blockRows: undefined }, { strategy: 'inline', workers: 1, blockRows: 200 },
    ]);
    expect(configs).toHaveLength(2 + 2 * 2 * 2);
    expect(parseWorkerCounts('0, 3', 64)).toBe('"0" is not a worker count from 1 to 64.');
    expect(parseWorkerCounts('65', 64)).toBe('"65" is not a worker count from 1 to 64.');
    expect(parseBlockSizes('big')).toBe('"big" is not a block size in rows (or "default").');
  });

  it('repeats every configuration, interleaved, at least 3 times', () => {
    const configs = matrixConfigs(['inline', 'pool'], [2], [undefined]);
    expect(matrixSchedule(configs, 3).map(({ config, repeat }) => `${config.strategy}#${repeat}`))
      .toEqual(['inline#1', 'pool#1', 'inline#2', 'pool#2', 'inline#3', 'pool#3']);
    expect(parseRepeats('5')).toBe(5);
    for (const bad of ['0', '2.5', 'x', '21']) expect(parseRepeats(bad)).toMatch(/^Repeats must be a whole number from 1 to 20/);
    expect(parseRepeats('1')).toBe(1);
  });
});

/** A copy of a real run with another id and wall time (and the throughput that wall time gives). */
function timed(template: RunResult, wallMs: number, id: string): RunRecord {
  const [record] = asRecords([{ ...template, id, wallMs, summary: { ...template.summary, wallMs, rowsPerSecond: template.rows / (wallMs / 1000) } }]);
  return record;
}

describe('run matrix ranking and verdict', () => {
  const subject = { fileName: 'coords_1k.h5', dataset: '/coords', rows: 1000, filtered: false };

  it('ranks by median, so one lucky run does not make a configuration the winner', () => {
    // pool's best run is the fastest of all, but its median is slower than inline's.
    const runs = [timed(inline, 100, 'i1'), timed(inline, 104, 'i2'), timed(inline, 98, 'i3'),
      timed(pool, 60, 'p1'), timed(pool, 150, 'p2'), timed(pool, 140, 'p3')];
    const ranked = rankConfigurations(runs);
    expect(ranked.map((c) => c.key)).toEqual(['inline/1/200', 'pool/2/200']);
    expect(ranked[0].medianRowsPerSecond).toBeCloseTo(1000 / 0.1, 6);
    expect(ranked[0].minRowsPerSecond).toBeCloseTo(1000 / 0.104, 6);
    expect(ranked[0].maxRowsPerSecond).toBeCloseTo(1000 / 0.098, 6);
    expect(ranked[0].typical.id).toBe('i1');
    expect(ranked[1].runs).toHaveLength(3);
    expect(median([3, 1, 2, 10])).toBe(2.5);

    const sentence = matrixVerdict(ranked, subject);
    expect(sentence).toContain('coords_1k.h5 /coords');
    expect(sentence).toContain(`fastest is inline · main thread · 200-row blocks, median ${formatRate(ranked[0].medianRowsPerSecond, 'rows/s')}`);
    expect(sentence).toContain('over 3 runs');
    expect(sentence).toMatch(/Why: .*workers do not pay off/);
    expect(sentence).not.toMatch(/decompress/i);
    // pool's range (6.7–16.7 k) overlaps inline's: the sentence says the lead may be noise.
    expect(sentence).toContain('within noise');
  });

  it('explains a pool, shard or inline win in words about that winner', () => {
    const fast = (template: RunResult, prefix: string) => [timed(template, 50, `${prefix}1`), timed(template, 51, `${prefix}2`), timed(template, 52, `${prefix}3`)];
    const slow = (template: RunResult, prefix: string) => [timed(template, 200, `${prefix}1`), timed(template, 210, `${prefix}2`), timed(template, 220, `${prefix}3`)];

    const poolWins = matrixVerdict(rankConfigurations([...slow(inline, 'i'), ...fast(pool, 'p')]), subject);
    expect(poolWins).toContain('fastest is pool · 2 workers');
    expect(poolWins).toMatch(/Why: 2 workers compute blocks in parallel while the main thread reads/);
    expect(poolWins).not.toContain('within noise');

    const shardWins = matrixVerdict(rankConfigurations([...slow(pool, 'p'), ...fast(shard, 's')]), { ...subject, filtered: true });
    expect(shardWins).toContain('fastest is shard · 2 workers');
    expect(shardWins).toMatch(/Why: .*decompression runs in parallel in the workers/);

    const inlineWins = matrixVerdict(rankConfigurations([...fast(inline, 'i'), ...slow(shard, 's')]), { ...subject, filtered: true });
    expect(inlineWins).toContain('fastest is inline');
    expect(inlineWins).toMatch(/workers do not pay off/);
    expect(inlineWins).not.toMatch(/decompression runs in parallel/);
  });
});
