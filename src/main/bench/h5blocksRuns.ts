import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Strategy } from '@shared/run';
import { runComputation } from '../run/engine';
import { writeSample } from '../cli/sample';
import type { BenchInput, BenchRow } from './results';
import type { ScratchFolder } from './scratchFolder';

export interface H5blocksConfiguration {
  strategy: Strategy;
  workers: number;
  /** undefined: the engine's default for the input. */
  blockRows?: number;
}

/** Every strategy at every worker count and block size; inline runs on the main thread, so only once per block size. */
export function configurations(workerCounts: number[], blockSizes: (number | undefined)[]): H5blocksConfiguration[] {
  const all: H5blocksConfiguration[] = blockSizes.map((blockRows) => ({ strategy: 'inline' as const, workers: 1, blockRows }));
  for (const strategy of ['pool', 'shard'] as const) {
    for (const workers of workerCounts) {
      for (const blockRows of blockSizes) all.push({ strategy, workers, blockRows });
    }
  }
  return all;
}

/** Runs one configuration on a fresh copy of the input, as `h5blocks run --overwrite` would. */
export async function timeH5blocks(input: BenchInput, configuration: H5blocksConfiguration, scratch: ScratchFolder, signal: AbortSignal): Promise<BenchRow> {
  const name = `${input.id}.h5blocks.h5`;
  const copy = scratch.copy(input.path, name);
  try {
    const start = performance.now();
    // The same request the CLI builds; the clock includes opening the file, as the h5py baselines' does.
    const result = await runComputation({
      file: copy, dataset: '/coords', strategy: configuration.strategy, workers: configuration.workers,
      blockRows: configuration.blockRows, output: '/distances', overwrite: true,
    }, { signal });
    const wallSeconds = (performance.now() - start) / 1000;
    return {
      input: input.id, inputLabel: input.label, rows: result.rows, engine: 'h5blocks', strategy: result.strategy,
      workers: result.workers, blockRows: result.blockRows, defaultBlockRows: configuration.blockRows === undefined,
      wallSeconds, runs: 1, rowsPerSecond: result.rows / wallSeconds, ratioToH5pySerial: null, outputSha256: result.outputSha256,
      phaseTotals: result.summary.phaseTotals, engineWallSeconds: result.wallMs / 1000,
    };
  } finally {
    scratch.discard(name);
  }
}

const WARM_UP_ROWS = 256;

/**
 * Worker pools stay warm between runs in the app, and the h5py baselines are
 * timed without interpreter start-up, so each timed run gets warm workers:
 * a run of one-row blocks starts the pool's threads and, for shard, loads
 * h5wasm in every one of them. Its results are thrown away.
 */
export async function warmUp(configuration: H5blocksConfiguration, scratch: ScratchFolder, signal: AbortSignal): Promise<void> {
  if (configuration.strategy === 'inline') return;
  const sample = scratch.file('warm-up.h5');
  if (!existsSync(sample)) await writeSample(sample, { rows: WARM_UP_ROWS, chunked: false, gzip: false });
  const name = 'warm-up.run.h5';
  const copy = scratch.copy(sample, name);
  try {
    await runComputation({
      file: copy, dataset: '/coords', strategy: configuration.strategy, workers: configuration.workers,
      blockRows: 1, output: '/distances', overwrite: true,
    }, { signal });
  } finally {
    scratch.discard(name);
  }
}
