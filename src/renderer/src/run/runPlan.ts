import type { DatasetEntity, Entity } from '@shared/entities';
import type { Strategy } from '@shared/run';
// The engine's own rule for the default block, a pure function shared so the form shows exactly what a run will use.
import { defaultBlockRows } from '@shared/blocks';
import { formatDuration } from '../format/units';

export const STRATEGY_HELP: Record<Strategy, string> = {
  inline: 'Baseline: the main thread reads, computes and writes each block in turn.',
  pool: 'The main thread reads every block and sends it to worker threads, which compute the norms.',
  shard: 'Each worker reads (and decompresses) its own blocks and writes a shard file; the main thread merges them.',
  dask: 'A Dask cluster runs the blocks: each task reads its rows with h5py and writes a shard beside the file; the main thread merges them.',
  vds: 'Each worker reads its own blocks and writes a shard file in a folder beside the file; the output is a virtual dataset mapping the shards, so nothing is merged (readers open the shards).',
};

export interface BlockPlanSummary {
  blockRows: number;
  blockBytes: number;
  blocks: number;
}

export function planSummary(dataset: DatasetEntity, strategy: Strategy, workers: number, blockRows: number | undefined): BlockPlanSummary {
  const shape = dataset.shape ?? [0];
  const rows = shape[0] ?? 0;
  // A row is an entry along the first axis: every other axis flattened (one element of a 1-D series).
  const rowBytes = shape.slice(1).reduce((a, b) => a * b, 1) * dataset.dtype.size;
  const effectiveWorkers = strategy === 'inline' ? 1 : workers;
  const chosen = blockRows ?? defaultBlockRows(rows, rowBytes, dataset.chunks?.[0], effectiveWorkers);
  return { blockRows: chosen, blockBytes: chosen * rowBytes, blocks: Math.ceil(rows / Math.max(1, chosen)) };
}

/** float32 holds the norm of 8- and 16-bit integers and of floats up to 32 bits without loss; wider inputs get float64. */
export function outputElementBytes(input: DatasetEntity): 4 | 8 {
  const { class: kind, size } = input.dtype;
  return (kind === 'float' && size <= 4) || (kind === 'integer' && size <= 2) ? 4 : 8;
}

/**
 * Why an existing object cannot be overwritten by this run's output, or null
 * when it can. Mirrors the engine (src/main/run/output.ts): h5wasm cannot delete
 * links, so only a float dataset of the same width, 1-D, with N rows (or
 * chunked and resizable to N) can be rewritten in place.
 */
export function overwriteRefusal(existing: Entity, input: DatasetEntity, strategy?: Strategy): string | null {
  if (existing.kind !== 'dataset') return `${existing.path} is a ${existing.kind === 'group' ? 'group' : 'link or named type'}, not a dataset`;
  // A vds output, and any overwrite of a virtual dataset, is made anew: the engine removes the old link first.
  if (strategy === 'vds' || existing.layout === 'virtual') return null;
  const rows = input.shape?.[0] ?? 0;
  const bytes = outputElementBytes(input);
  if (existing.dtype.class !== 'float' || existing.dtype.size !== bytes) {
    return `its elements are ${existing.dtype.description}, but the output is ${bytes === 4 ? '32' : '64'}-bit floats`;
  }
  if (!existing.shape || existing.shape.length !== 1) return 'it is not 1-D';
  if (existing.shape[0] === rows) return null;
  const max = existing.maxShape?.[0];
  // Unlimited dimensions arrive as 2^64 − 1 (≥ rows) or, from some readers, as −1.
  const resizable = existing.chunks !== null && (max === undefined || max < 0 || max >= rows);
  return resizable ? null : `it holds ${existing.shape[0]} rows and cannot be resized to ${rows}`;
}

/** `distances` → `distances_2`, `distances_3`, … the first name not among `taken`. */
export function nextFreeName(outputPath: string, taken: Set<string>): string {
  const base = outputPath.replace(/_\d+$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function describeEta(etaMs: number | null): string {
  return etaMs === null ? 'estimating…' : `about ${formatDuration(etaMs)} left`;
}
