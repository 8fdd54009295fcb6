// What `h5blocks run FILE --dataset PATH` does with no other option: the
// strategy, workers and block size come from the dataset and the machine, and
// start-up shows in the run's timeline as `start` phases.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhaseSpan, RunResult } from '../src/shared/run';
import { chooseRun, INLINE_MAX_BYTES } from '../src/main/run/defaults';
import { runCli } from './support/cli';
import { copyCorpus, copyFile, makeTempFolder, removeTempFolders } from './support/files';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('defaults');
});
afterAll(() => removeTempFolders());

async function runJson(args: string[]): Promise<RunResult> {
  const result = await runCli(['run', ...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as RunResult;
}

function allSpans(result: RunResult): PhaseSpan[] {
  return [...result.runPhases, ...result.blocks.flatMap((b) => b.phases)];
}

describe('a default run', () => {
  it('of 1,000 rows runs inline on the run\'s thread: no worker starts, and start-up is its own phase', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'small.h5');
    const result = await runJson([file, '--dataset', '/coords']);
    expect(result).toMatchObject({ strategy: 'inline', workers: 1, rows: 1000 });
    expect(result.chosen).toMatch(/^inline/);
    const spans = allSpans(result);
    // Every span, start-up included, is on the main lane: no worker thread took part.
    expect(new Set(spans.map((s) => s.lane))).toEqual(new Set(['main']));
    const start = result.runPhases.filter((s) => s.phase === 'start');
    expect(start.map((s) => s.step)).toEqual(expect.arrayContaining(['process', 'h5wasm', 'hdf5 init']));
    expect(result.summary.phaseTotals.map((p) => p.phase)).toContain('start');
    for (const span of spans) {
      expect(span.start, JSON.stringify(span)).toBeGreaterThanOrEqual(0);
      expect(span.end, JSON.stringify(span)).toBeGreaterThanOrEqual(span.start);
      expect(span.end, JSON.stringify(span)).toBeLessThanOrEqual(result.wallMs);
    }
    // Start-up comes before the run's own work.
    const firstWork = Math.min(...spans.filter((s) => s.phase !== 'start').map((s) => s.start));
    for (const span of start) expect(span.end).toBeLessThanOrEqual(firstWork);
  });

  it('of a larger contiguous input runs pool with one worker per core, bit-identical to inline', async () => {
    const file = join(folder, 'large.h5');
    const rows = Math.ceil(INLINE_MAX_BYTES / 8) + 100_000;
    const made = await runCli(['sample', file, '--rows', String(rows)]);
    expect(made.status).toBe(0);
    const copy = copyFile(file, folder, 'large-inline.h5');
    copyFile(file, folder, 'large-blocks.h5'); // for the block-buffer test below
    const chosen = await runJson([file, '--dataset', '/coords']);
    expect(chosen).toMatchObject({ strategy: 'pool', workers: Math.min(64, availableParallelism()), rows });
    expect(chosen.chosen).toMatch(/^pool/);
    // Each worker that started for this run shows its start-up on its own lane.
    const workerStarts = chosen.runPhases.filter((s) => s.phase === 'start' && s.step === 'worker');
    expect(workerStarts.length).toBeGreaterThan(0);
    for (const span of workerStarts) expect(span.lane).not.toBe('main');
    const inline = await runJson([copy, '--dataset', '/coords', '--strategy', 'inline']);
    expect(inline.chosen).toBeUndefined();
    expect(inline.outputSha256).toBe(chosen.outputSha256);
  });

  it('allocates block buffers for the blocks in flight, not for every block', async () => {
    const file = join(folder, 'large-blocks.h5');
    const pool = await runJson([file, '--dataset', '/coords', '--strategy', 'pool', '--workers', '2', '--block-rows', '32768', '--output', '/pooled']);
    expect(pool.blocks.length).toBeGreaterThan(40);
    // Two blocks in flight per worker, each an input and an output buffer, and two outputs with the hashing thread.
    expect(pool.blockBuffers!.allocated).toBeLessThanOrEqual(2 * 2 * 2 + 2);
    const inline = await runJson([file, '--dataset', '/coords', '--strategy', 'inline', '--block-rows', '32768', '--output', '/inlined']);
    expect(inline.blockBuffers!.allocated).toBeLessThanOrEqual(1 + 2);
    expect(inline.outputSha256).toBe(pool.outputSha256);
  });
});

describe('the rule', () => {
  const big = { rows: 100_000_000, rowBytes: 8, chunkRows: 65_536, cores: 4 };

  it('runs small inputs inline, whatever their layout', () => {
    expect(chooseRun({}, { ...big, rows: 1000, filtered: true, directChunks: false })).toMatchObject({ strategy: 'inline', workers: 1 });
    // Unless workers are asked for.
    expect(chooseRun({ workers: 3 }, { ...big, rows: 1000, filtered: false, directChunks: false })).toMatchObject({ strategy: 'pool', workers: 3 });
  });

  it('runs large inputs that only HDF5 can decode as shard, deflate/shuffle and uncompressed ones as pool', () => {
    expect(chooseRun({}, { ...big, filtered: true, directChunks: false })).toMatchObject({ strategy: 'shard', workers: 4 });
    expect(chooseRun({}, { ...big, filtered: true, directChunks: true })).toMatchObject({ strategy: 'pool', workers: 4 });
    expect(chooseRun({}, { ...big, filtered: false, directChunks: false })).toMatchObject({ strategy: 'pool', workers: 4 });
  });

  it('keeps what the request names, and blocks are whole chunks', () => {
    const chosen = chooseRun({ strategy: 'shard', workers: 3 }, { ...big, filtered: false, directChunks: false });
    expect(chosen).toMatchObject({ strategy: 'shard', workers: 3 });
    expect(chosen.why).toBeUndefined();
    expect(chosen.blockRows % big.chunkRows).toBe(0);
    expect(chooseRun({ blockRows: 1234 }, { ...big, filtered: false, directChunks: false }).blockRows).toBe(1234);
  });
});
