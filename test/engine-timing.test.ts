// Per-block timings: what the timeline draws must be consistent with the run itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import type { PhaseSpan, RunProgress, RunResult, Strategy } from '../src/shared/run';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

const ROWS = 100_003;
const BLOCK_ROWS = 8192;
const BLOCKS = Math.ceil(ROWS / BLOCK_ROWS);

let file: string;
const runs = new Map<Strategy, { result: RunResult; progress: RunProgress[] }>();

beforeAll(async () => {
  file = copyCorpus('layouts.h5', makeTempFolder('timing'));
  for (const strategy of ['inline', 'pool', 'shard'] as const) {
    const progress: RunProgress[] = [];
    const result = await runComputation(
      { file, dataset: '/gzip', strategy, workers: 2, blockRows: BLOCK_ROWS, output: `/timing_${strategy}` },
      { onProgress: (p) => progress.push(p) },
    );
    runs.set(strategy, { result, progress });
  }
});

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

function phase(phases: PhaseSpan[], name: PhaseSpan['phase']): PhaseSpan {
  const found = phases.find((p) => p.phase === name);
  expect(found, `phase ${name} in ${JSON.stringify(phases.map((p) => p.phase))}`).toBeDefined();
  return found!;
}

describe.each(['inline', 'pool', 'shard'] as Strategy[])('%s run of layouts.h5 /gzip in 8192-row blocks', (strategy) => {
  it('every phase starts before it ends and lies within [0, wallMs]', () => {
    const { result } = runs.get(strategy)!;
    const spans = [...result.runPhases, ...result.blocks.flatMap((b) => b.phases)];
    expect(spans.length).toBeGreaterThan(BLOCKS);
    for (const span of spans) {
      expect(span.start, JSON.stringify(span)).toBeLessThanOrEqual(span.end);
      expect(span.start, JSON.stringify(span)).toBeGreaterThanOrEqual(0);
      expect(span.end, JSON.stringify(span)).toBeLessThanOrEqual(result.wallMs);
    }
    expect(result.runPhases.map((p) => p.phase)).toEqual(expect.arrayContaining(['log', 'commit']));
  });

  it('block row ranges tile [0, N) exactly, in order', () => {
    const { result } = runs.get(strategy)!;
    expect(result.blocks).toHaveLength(BLOCKS);
    let next = 0;
    for (const [i, block] of [...result.blocks].sort((a, b) => a.index - b.index).entries()) {
      expect(block.index).toBe(i);
      expect(block.rowStart).toBe(next);
      expect(block.rowEnd).toBe(Math.min(ROWS, next + BLOCK_ROWS));
      expect(block.bytesIn).toBe((block.rowEnd - block.rowStart) * 2 * 4);
      expect(block.bytesOut).toBe((block.rowEnd - block.rowStart) * 4);
      next = block.rowEnd;
    }
    expect(next).toBe(ROWS);
  });

  it('phases sit on the right lanes', () => {
    const { result } = runs.get(strategy)!;
    const workerLanes = new Set<number>();
    for (const block of result.blocks) {
      const compute = phase(block.phases, 'compute');
      if (strategy === 'inline') {
        expect(compute.lane).toBe('main');
        expect(phase(block.phases, 'read').lane).toBe('main');
        expect(phase(block.phases, 'write').lane).toBe('main');
        continue;
      }
      expect(typeof compute.lane).toBe('number');
      workerLanes.add(compute.lane as number);
      if (strategy === 'pool') {
        expect(phase(block.phases, 'read').lane).toBe('main');
        expect(phase(block.phases, 'write').lane).toBe('main');
      } else {
        expect(phase(block.phases, 'read').lane).toBe(compute.lane);
        expect(phase(block.phases, 'shard-write').lane).toBe(compute.lane);
        expect(phase(block.phases, 'merge').lane).toBe('main');
        // A shard is read, computed and written in that order on its worker, then merged.
        expect(phase(block.phases, 'read').end).toBeLessThanOrEqual(compute.start);
        expect(compute.end).toBeLessThanOrEqual(phase(block.phases, 'shard-write').start);
        expect(phase(block.phases, 'shard-write').end).toBeLessThanOrEqual(phase(block.phases, 'merge').start);
      }
    }
    if (strategy !== 'inline') {
      expect(workerLanes.size).toBeGreaterThanOrEqual(1);
      expect(workerLanes.size).toBeLessThanOrEqual(2);
      const summaryLanes = new Set(result.summary.lanes.map((l) => l.lane));
      for (const lane of workerLanes) expect(summaryLanes.has(lane)).toBe(true);
    }
  });

  it('the summary\'s rows per second is rows / wall time', () => {
    const { result } = runs.get(strategy)!;
    expect(result.summary.wallMs).toBe(result.wallMs);
    expect(result.summary.rowsPerSecond).toBeCloseTo(ROWS / (result.wallMs / 1000), 6);
    for (const lane of result.summary.lanes) {
      expect(lane.busyMs).toBeGreaterThanOrEqual(0);
      expect(lane.utilisation).toBeCloseTo(lane.busyMs / result.wallMs, 9);
    }
  });

  it('onProgress is called once per block, with blocksDone counting up to the total', () => {
    const { result, progress } = runs.get(strategy)!;
    expect(progress).toHaveLength(BLOCKS);
    expect(progress.map((p) => p.blocksDone)).toEqual(Array.from({ length: BLOCKS }, (_, i) => i + 1));
    for (const p of progress) {
      expect(p.blocksTotal).toBe(BLOCKS);
      expect(p.rowsTotal).toBe(ROWS);
      expect(p.runId).toBe(result.id);
    }
    const rowsDone = progress.map((p) => p.rowsDone);
    expect(rowsDone).toEqual([...rowsDone].sort((a, b) => a - b));
    expect(rowsDone.at(-1)).toBe(ROWS);
    expect(progress.map((p) => p.block?.index)).toEqual(result.blocks.map((b) => b.index));
  });
});
