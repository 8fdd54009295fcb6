import { performance } from 'node:perf_hooks';
import type { PhaseTotal, Strategy } from '@shared/run';
import { runComputation } from '../run/engine';
import { writeSample } from '../cli/sample';
import { freeBytes } from '../transaction/diskSpace';
import { warmUp } from './h5blocksRuns';
import type { InputBuilder } from './inputs';
import { runPythonScript } from './python';
import type { VerdictStatus } from './results';

/** The case: a 1,000-row run in a 2 GB file against the same run in a 1 MB one. */
export const FILE_SIZE_ROWS = 1000;
export const LARGE_FILE_BYTES = 2 * 2 ** 30;
export const SMALL_FILE_BYTES = 2 ** 20;
/** A run may take at most this many times longer in the large file than in the small one. */
export const FILE_SIZE_TARGET = 2;
/**
 * The large file is sparse where the file system keeps holes, but one that
 * does not would write all of it: the case runs only with this much free.
 */
const FREE_BYTES_NEEDED = LARGE_FILE_BYTES + 256 * 2 ** 20;
const STRATEGY: Strategy = 'pool';
const WORKERS = 2;

export interface FileSizeRun {
  fileBytes: number;
  /** The fastest of the trials. */
  wallSeconds: number;
  phaseTotals: PhaseTotal[];
}

export interface FileSizeCase {
  rows: number;
  strategy: Strategy;
  workers: number;
  trials: number;
  small: FileSizeRun;
  large: FileSizeRun;
  /** large ÷ small wall time. */
  ratio: number;
  target: number;
  status: VerdictStatus;
}

/**
 * Times the same run (the CLI's default strategy, warm workers) in a file of
 * about 1 MB and in one of about 2 GB, each trial on freshly made files so no
 * run finds an earlier one's output. Undefined, with the reason in `skipped`,
 * without h5py (it makes the large file) or without the disk for it.
 */
export async function measureFileSize(builder: InputBuilder, trials: number): Promise<{ result?: FileSizeCase; skipped?: string }> {
  const { scratch, python, signal, log } = builder;
  if (!python) return { skipped: 'the 2 GB-file case was skipped: it needs h5py to make the large file' };
  const free = freeBytes(scratch.path);
  if (free !== undefined && free < FREE_BYTES_NEEDED) {
    return { skipped: `the 2 GB-file case was skipped: ${scratch.path} has ${(free / 2 ** 30).toFixed(1)} GB free and the large file may take ${(FREE_BYTES_NEEDED / 2 ** 30).toFixed(1)} GB where the file system cannot keep it sparse` };
  }
  const points = scratch.file('file-size.points.h5');
  await writeSample(points, { rows: FILE_SIZE_ROWS, chunked: false, gzip: false });
  await warmUp({ strategy: STRATEGY, workers: WORKERS }, scratch, signal);
  const runs: Record<'small' | 'large', FileSizeRun | undefined> = { small: undefined, large: undefined };
  try {
    for (let trial = 1; trial <= trials; trial++) {
      for (const [size, bytes] of [['small', SMALL_FILE_BYTES], ['large', LARGE_FILE_BYTES]] as const) {
        const run = await timeInFile(builder, points, size, bytes);
        log(`file-size case, ${FILE_SIZE_ROWS} rows in a ${describeBytes(run.fileBytes)} file: ${(run.wallSeconds * 1000).toFixed(1)} ms (trial ${trial} of ${trials})`);
        const best = runs[size];
        if (!best || run.wallSeconds < best.wallSeconds) runs[size] = run;
      }
    }
  } finally {
    scratch.discard('file-size.points.h5');
  }
  const small = runs.small as FileSizeRun;
  const large = runs.large as FileSizeRun;
  const ratio = large.wallSeconds / small.wallSeconds;
  return {
    result: {
      rows: FILE_SIZE_ROWS, strategy: STRATEGY, workers: WORKERS, trials, small, large, ratio,
      target: FILE_SIZE_TARGET, status: ratio <= FILE_SIZE_TARGET ? 'PASS' : 'FAIL',
    },
  };
}

async function timeInFile(builder: InputBuilder, points: string, size: string, imagesBytes: number): Promise<FileSizeRun> {
  const name = `file-size.${size}.h5`;
  const path = builder.scratch.file(name);
  try {
    const made = await runPythonScript<{ bytes: number }>(builder.python!, 'make_large_file.py', [points, path, '--bytes', String(imagesBytes)], builder.signal);
    const start = performance.now();
    const result = await runComputation({ file: path, dataset: '/coords', strategy: STRATEGY, workers: WORKERS, output: '/distances' }, { signal: builder.signal });
    return { fileBytes: made.bytes, wallSeconds: (performance.now() - start) / 1000, phaseTotals: result.summary.phaseTotals };
  } finally {
    builder.scratch.discard(name);
  }
}

/** 2147495744 -> "2.0 GB", 1060864 -> "1.0 MB" (binary units, as the sizes are chosen). */
export function describeBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
