// Never lost data: the input is only ever read, a failed or cancelled run leaves
// the file byte-identical, and no run leaves a log, a lock or a shard folder
// behind, whatever way it ends.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId, runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { H5BlocksError } from '../src/shared/errors';
import type { RunProgress, Strategy } from '../src/shared/run';
import { cliScript, projectRoot, systemPython } from './support/paths';
import { copyCorpus, copyFile, makeTempFolder, removeTempFolders, runLeftoversBeside, scratchFoldersIn, sha256File } from './support/files';
import { checkCoordsFile } from './support/reference';

const execFileAsync = promisify(execFile);

// Shard folders go to os.tmpdir(); a private one means "nothing left behind" is
// checked against this file's runs alone, not other programs using /tmp.
const privateTmp = join(tmpdir(), `h5blocks-safety-tmp-${process.pid}`);
const originalTmpdir = process.env.TMPDIR;

let folder: string;
/** 2 M rows × 2 float32 in 64 Ki-row chunks, made by `h5blocks sample`. */
let bigSample: string;
/** /coords with one damaged chunk (rows badRows[0]..badRows[1]): reading it fails its checksum. */
let damaged: string;
let badRows: [number, number];

beforeAll(async () => {
  mkdirSync(privateTmp, { recursive: true });
  process.env.TMPDIR = privateTmp;
  folder = makeTempFolder('safety');
  bigSample = join(folder, 'sample_2m.h5');
  await execFileAsync(process.execPath, [cliScript, 'sample', bigSample, '--rows', '2000000', '--chunked'], { cwd: projectRoot });
  damaged = join(folder, 'damaged.h5');
  const made = JSON.parse((await execFileAsync(systemPython, [join(projectRoot, 'test/support/make_corrupt_chunk.py'), damaged, '200000', '10'])).stdout) as {
    badRowStart: number; badRowEnd: number;
  };
  badRows = [made.badRowStart, made.badRowEnd];
});

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
  rmSync(privateTmp, { recursive: true, force: true });
  if (originalTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = originalTmpdir;
});

async function rejection(attempt: Promise<unknown>): Promise<H5BlocksError> {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect(error, 'the run should have failed').toBeInstanceOf(H5BlocksError);
  return error as H5BlocksError;
}

/** Counts, at each progress event, the run's shard folders: "none left" means something only if one existed. */
function watchScratch(runId: string): { seen: number[]; onProgress: () => void } {
  const seen: number[] = [];
  return { seen, onProgress: () => seen.push(scratchFoldersIn(tmpdir(), runId).length) };
}

/** Nothing of the run is left: no log or lock beside the file, no shard folder in the temp folder. */
function expectNoLeftovers(file: string, runId?: string): void {
  expect(runLeftoversBeside(file)).toEqual([]);
  expect(scratchFoldersIn(tmpdir(), runId)).toEqual([]);
  expect(readdirSync(dirname(file)).filter((name) => name.includes('h5blocks') && name.includes(basename(file)))).toEqual([]);
}

describe('a successful run', () => {
  it.each(['pool', 'shard'] as Strategy[])('%s: leaves the input intact and no shard file, shard folder, log or lock', async (strategy) => {
    const file = copyFile(bigSample, folder, `success_${strategy}.h5`);
    const before = await checkCoordsFile(file);
    expect(before.distances).toBeNull();
    const runId = newRunId();
    const scratch = watchScratch(runId);
    const result = await runComputation({ file, dataset: '/coords', strategy, workers: 2, blockRows: 100_000 }, { onProgress: scratch.onProgress }, runId);
    expect(result.blocks).toHaveLength(20);
    // Shards live in one run-private folder while the run lasts; pool needs none.
    expect(new Set(scratch.seen)).toEqual(new Set([strategy === 'shard' ? 1 : 0]));
    const after = await checkCoordsFile(file);
    expect(after.coordsSha256).toBe(before.coordsSha256);
    expect(after.distances).toEqual({ complete: 1, rows: 2_000_000, dtype: '<f4', maxUlp: expect.any(Number) });
    expect(after.distances!.maxUlp).toBeLessThanOrEqual(1);
    expectNoLeftovers(file, runId);
  });
});

describe('a refused run', () => {
  it('output == input (output-conflict): the whole file is byte-identical and nothing is left', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'conflict.h5');
    const before = sha256File(file);
    const error = await rejection(runComputation({ file, dataset: '/coords', strategy: 'shard', workers: 2, output: '/coords' }));
    expect(error.code).toBe('output-conflict');
    expect(error.message).toMatch(/conflict\.h5.*\/coords/);
    expect(sha256File(file)).toBe(before);
    expectNoLeftovers(file);
  });
});

describe('an aborted run', () => {
  it.each(['pool', 'shard', 'inline'] as Strategy[])('%s: AbortController aborted mid-run → code aborted, file byte-identical, nothing left', async (strategy) => {
    const file = copyFile(bigSample, folder, `abort_${strategy}.h5`);
    const before = sha256File(file);
    const controller = new AbortController();
    const progress: RunProgress[] = [];
    const runId = newRunId();
    const scratch = watchScratch(runId);
    const error = await rejection(runComputation(
      { file, dataset: '/coords', strategy, workers: 2, blockRows: 20_000 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          scratch.onProgress();
          progress.push(p);
          if (p.blocksDone === 5) controller.abort();
        },
      },
      runId,
    ));
    expect(error.code).toBe('aborted');
    expect(error.message).toContain(basename(file));
    expect(error.message).not.toMatch(/\n/);
    // It really stopped mid-run: some blocks were done, far from all 100.
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.length).toBeLessThan(100);
    if (strategy === 'shard') expect(scratch.seen[0]).toBe(1);
    expect(sha256File(file)).toBe(before);
    expectNoLeftovers(file, runId);
  });

  it('a signal aborted before the run starts: refused as aborted, file untouched', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'abort_early.h5');
    const before = sha256File(file);
    const error = await rejection(runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2 }, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('aborted');
    expect(sha256File(file)).toBe(before);
    expectNoLeftovers(file);
  });
});

describe('a block that cannot be read (a damaged chunk fails its fletcher32 checksum)', () => {
  it('shard: the worker reading it throws → one-line error naming file, dataset and rows; file byte-identical; nothing left', async () => {
    const file = copyFile(damaged, folder, 'damaged_shard.h5');
    const before = sha256File(file);
    const runId = newRunId();
    const scratch = watchScratch(runId);
    const error = await rejection(runComputation({ file, dataset: '/coords', strategy: 'shard', workers: 2, blockRows: 8192 }, { onProgress: scratch.onProgress }, runId));
    // Blocks before the damaged one were merged (their shards existed) before the failure.
    expect(scratch.seen.length).toBeGreaterThan(0);
    expect(scratch.seen[0]).toBe(1);
    expect(error.code).toBe('hdf5');
    expect(error.message).toBe(`damaged_shard.h5: /coords: cannot read rows ${badRows[0]}..${badRows[1]}: a chunk is damaged (its fletcher32 checksum does not match)`);
    expect(sha256File(file)).toBe(before);
    expectNoLeftovers(file, runId);
  });

  it('pool: the main thread\'s read fails while workers are busy → same error, no crash, file byte-identical, nothing left', async () => {
    const file = copyFile(damaged, folder, 'damaged_pool.h5');
    const before = sha256File(file);
    const error = await rejection(runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 8192 }));
    expect(error.code).toBe('hdf5');
    expect(error.message).toMatch(new RegExp(`^damaged_pool\\.h5: /coords: cannot read rows ${badRows[0]}\\.\\.${badRows[1]}: `));
    expect(sha256File(file)).toBe(before);
    expectNoLeftovers(file);
    // h5wasm leaks an object id on a failed read, so HDF5 keeps this file open in
    // this thread with the failed run's state: another run here must refuse,
    // not write from that state.
    for (let attempt = 0; attempt < 2; attempt++) {
      const again = await rejection(runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 8192 }));
      expect(again.code).toBe('busy');
      expect(again.message).toBe('damaged_pool.h5: HDF5 in this process still holds the file after an earlier failed read; restart h5blocks to write to it again (the file itself is as it was)');
    }
    expect(sha256File(file)).toBe(before);
    expectNoLeftovers(file);
  });

  it('the process is still healthy afterwards: the same pools run a good file', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'after_failures.h5');
    for (const strategy of ['pool', 'shard'] as const) {
      const result = await runComputation({ file, dataset: '/coords', strategy, workers: 2, blockRows: 100, output: `/after_${strategy}` });
      expect(result.blocks).toHaveLength(10);
    }
  });
});

describe('the shard folder disappears mid-run (a temp cleaner)', () => {
  it('the next shard write fails in the worker → error, file byte-identical, nothing left', async () => {
    const file = copyFile(bigSample, folder, 'vanishing_scratch.h5');
    const before = sha256File(file);
    const runId = newRunId();
    let removed = false;
    const error = await rejection(runComputation(
      { file, dataset: '/coords', strategy: 'shard', workers: 2, blockRows: 20_000 },
      {
        onProgress: () => {
          if (removed) return;
          for (const name of scratchFoldersIn(tmpdir(), runId)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
          removed = true;
        },
      },
      runId,
    ));
    expect(removed).toBe(true);
    expect(error.message).toContain('vanishing_scratch.h5');
    expect(error.message).not.toMatch(/\n/);
    expect(sha256File(file)).toBe(before);
    expectNoLeftovers(file, runId);
  });
});

describe('two runs on one file', () => {
  it('in one process: the second is refused as busy with a clear message; the first completes', async () => {
    const file = copyFile(bigSample, folder, 'concurrent.h5');
    const first = runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 100_000 });
    const error = await rejection(runComputation({ file, dataset: '/coords', strategy: 'shard', workers: 2, output: '/second' }));
    expect(error.code).toBe('busy');
    expect(error.message).toMatch(/^concurrent\.h5: is being written by another run .*one computation per file at a time/);
    expect(error.message).not.toMatch(/\n/);
    const result = await first;
    expect(result.rows).toBe(2_000_000);
    const after = await checkCoordsFile(file);
    expect(after.distances).toMatchObject({ complete: 1, rows: 2_000_000 });
    expectNoLeftovers(file);
  });

  it('across processes: a run while the CLI is running on the file is refused as busy, naming the process', async () => {
    const file = copyFile(bigSample, folder, 'concurrent_cli.h5');
    const child = spawn(process.execPath, [cliScript, 'run', file, '--dataset', '/coords', '--strategy', 'pool', '--block-rows', '20000'], {
      cwd: projectRoot, stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
    const lock = join(dirname(file), `.${basename(file)}.h5blocks.lock`);
    // Poll without pausing, to catch the lock the instant it appears: a lock that
    // is ever seen empty looks like a dead owner's and would be taken over.
    const deadline = Date.now() + 20_000;
    while (!existsSync(lock) && Date.now() < deadline);
    expect(existsSync(lock), 'the CLI should hold the lock while it runs').toBe(true);
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: child.pid, runId: expect.any(String), start: expect.any(String) });
    const error = await rejection(runComputation({ file, dataset: '/coords', strategy: 'inline', workers: 1, output: '/second' }));
    expect(error.code).toBe('busy');
    expect(error.message).toContain(`process ${child.pid}`);
    expect(await exited).toBe(0);
    expect((await checkCoordsFile(file)).distances).toMatchObject({ complete: 1 });
    expectNoLeftovers(file);
  });
});
