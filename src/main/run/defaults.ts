import { availableParallelism } from 'node:os';
import { defaultBlockRows } from '@shared/blocks';
import { MAX_WORKERS, type RunRequest, type Strategy } from '@shared/run';

/**
 * Below this much input a run is inline: on the run's own I/O thread, with no
 * worker to start. Starting a worker thread costs tens of milliseconds (more on
 * a loaded machine), about what the I/O thread takes to read and reduce this
 * many bytes itself, and h5py's script pays no such start either.
 */
export const INLINE_MAX_BYTES = 16 * 2 ** 20;
/**
 * Shard workers each load h5wasm (a few hundred ms per thread, even with the
 * compiled wasm shared), so shard pays off only on inputs at least this large.
 */
export const SHARD_MIN_BYTES = 256 * 2 ** 20;

/** pool's block on uncompressed input (filtered input keeps the 8 MiB of shared/blocks.ts). */
export const UNFILTERED_BLOCK_BYTES = 2 * 2 ** 20;

/** What the defaults are chosen from: the dataset's size and layout, and the machine. */
export interface DefaultsEvidence {
  rows: number;
  rowBytes: number;
  chunkRows?: number;
  /** HDF5 filters on the dataset (compression, checksums). */
  filtered: boolean;
  /** Workers can decode the stored chunks themselves (deflate/shuffle, see chunkIndex.ts). */
  directChunks: boolean;
  cores: number;
}

export interface ChosenRun {
  strategy: Strategy;
  workers: number;
  blockRows: number;
  /** The rule that chose them, in words (printed by the CLI, kept in the result). */
  why?: string;
}

export function machineCores(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The strategy, workers and block size of a run: what the request names, the
 * rest chosen by the rule the run matrix's evidence gave on this project's
 * inputs (README, "Defaults"):
 * - a small input (under INLINE_MAX_BYTES) runs inline: nothing to start
 *   (unless the request names more than one worker);
 * - a filtered input that workers cannot decode from its stored chunks (blosc,
 *   lz4, zstd, bzip2, …) and is large runs shard: every worker runs HDF5's
 *   filter pipeline at once;
 * - everything else runs pool (uncompressed: reading overlaps computing;
 *   deflate/shuffle: workers decompress in parallel);
 * - workers: one per core; block: about 8 MiB of input in whole chunks (2 MiB
 *   for pool on unfiltered data), at least two blocks per worker.
 */
export function chooseRun(request: Pick<RunRequest, 'strategy' | 'workers' | 'blockRows'>, evidence: DefaultsEvidence): ChosenRun {
  const inputBytes = evidence.rows * evidence.rowBytes;
  let strategy: Strategy;
  let why: string | undefined;
  if (request.strategy !== undefined && request.strategy !== 'auto') strategy = request.strategy;
  // Workers asked for (more than one) are given, whatever the size.
  else if (inputBytes < INLINE_MAX_BYTES && (request.workers ?? 1) === 1) {
    strategy = 'inline';
    why = `inline: ${mib(inputBytes)} of input is less than ${mib(INLINE_MAX_BYTES)}, below which starting workers costs more than they save`;
  } else if (evidence.filtered && !evidence.directChunks && inputBytes >= SHARD_MIN_BYTES) {
    strategy = 'shard';
    why = `shard: ${mib(inputBytes)} of input through filters only HDF5 decodes, so every worker runs HDF5's filter pipeline at once`;
  } else {
    strategy = 'pool';
    why = `pool: ${mib(inputBytes)} of input, ${evidence.filtered ? (evidence.directChunks ? 'deflate/shuffle chunks the workers decompress in parallel' : 'filtered, but too small for shard workers\' start-up') : 'read by the I/O thread while workers compute'}`;
  }
  const workers = strategy === 'inline' ? 1 : request.workers ?? Math.min(MAX_WORKERS, evidence.cores);
  if (request.workers === undefined && strategy !== 'inline' && why) why += `; ${workers} worker(s), one per core`;
  // Uncompressed data read straight from its storage moves in smaller blocks: the
  // run matrix had 256 Ki-row (2 MiB) blocks ahead of 1 Mi-row ones for pool there.
  const unfilteredPool = strategy === 'pool' && !evidence.filtered;
  const blockRows = request.blockRows ?? defaultBlockRows(evidence.rows, evidence.rowBytes, evidence.chunkRows, workers, unfilteredPool ? UNFILTERED_BLOCK_BYTES : undefined);
  return { strategy, workers, blockRows, ...(why ? { why } : {}) };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;
}
