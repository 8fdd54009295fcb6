import { runPythonScript, type PythonWithH5py } from './python';
import type { BenchInput, BenchRow } from './results';
import type { ScratchFolder } from './scratchFolder';

/** What every script in bench/ prints (see bench/baseline_common.py). */
interface BaselineReport {
  recipe: string;
  rows: number;
  workers: number;
  block_rows: number | null;
  seconds: number;
  sha256: string;
}

export type MultiprocessingRecipe = 'pool' | 'shard';

/** h5py + numpy in one process: the whole dataset at once (blockRows undefined) or block by block. */
export function timeH5pySerial(python: PythonWithH5py, input: BenchInput, blockRows: number | undefined, scratch: ScratchFolder, signal: AbortSignal): Promise<BenchRow> {
  return timeBaseline(python, 'h5py_serial.py', input, blockRows === undefined ? [] : ['--block-rows', String(blockRows)], scratch, signal);
}

/** The seed's multiprocessing recipes: pool (the parent does the I/O) or shard (workers read, write shard files, the parent merges). */
export function timeMultiprocessing(
  python: PythonWithH5py, recipe: MultiprocessingRecipe, input: BenchInput, workers: number, blockRows: number, scratch: ScratchFolder, signal: AbortSignal,
): Promise<BenchRow> {
  return timeBaseline(python, recipe === 'pool' ? 'mp_pool.py' : 'mp_shard.py', input,
    ['--workers', String(workers), '--block-rows', String(blockRows)], scratch, signal);
}

async function timeBaseline(
  python: PythonWithH5py, script: string, input: BenchInput, args: string[], scratch: ScratchFolder, signal: AbortSignal,
): Promise<BenchRow> {
  // The script makes this copy itself (and refuses to replace a file); the input is only read.
  const name = `${input.id}.${script.replace(/\.py$/, '')}.h5`;
  try {
    const report = await runPythonScript<BaselineReport>(python, script, [
      input.path, '--copy', scratch.file(name), '--dataset', '/coords', '--output', '/distances', ...args,
    ], signal);
    const multiprocessing = report.recipe.startsWith('mp-');
    return {
      input: input.id, inputLabel: input.label, rows: report.rows,
      engine: multiprocessing ? 'h5py+multiprocessing' : 'h5py',
      strategy: multiprocessing ? report.recipe.slice('mp-'.length) : 'serial',
      workers: report.workers, blockRows: report.block_rows, defaultBlockRows: false,
      wallSeconds: report.seconds, runs: 1, rowsPerSecond: report.rows / report.seconds, ratioToH5pySerial: null, outputSha256: report.sha256,
    };
  } finally {
    scratch.discard(name);
  }
}
