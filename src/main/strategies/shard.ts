import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PhaseSpan } from '../../shared/run';
import { outputTypeFor } from '../../workers/compute/rowNorm';
import type { ShardResult, ShardTask } from '../../workers/shardWorker';
import { closeQuietly } from '../hdf5/files';
import { loadH5 } from '../hdf5/h5wasm';
import { readVector } from '../hdf5/rows';
import { epochNow } from '../run/clock';
import { span, type StrategyRunner } from './context';
import { dispatchBlocks } from './dispatch';
import { workerPool } from './workerPools';

/** A shard worker's block on its lane: queue, init (its first task), read, compute, shard-write, transfer back. */
export function shardPhases(result: ShardResult, sentAt: number, receivedAt: number, runStart: number): PhaseSpan[] {
  const lane = result.threadId;
  const phases: PhaseSpan[] = [span('queue', lane, sentAt, result.init?.start ?? result.readStart, runStart)];
  if (result.init) phases.push(span('init', lane, result.init.start, result.init.end, runStart));
  phases.push(
    span('read', lane, result.readStart, result.readEnd, runStart),
    span('compute', lane, result.readEnd, result.computeEnd, runStart),
    span('shard-write', lane, result.computeEnd, result.writeEnd, runStart),
    span('transfer', lane, result.writeEnd, receivedAt, runStart),
  );
  return phases;
}

/**
 * Seed variation 2 ("poor man's MapReduce"): each worker opens the input
 * read-only, computes its block and writes a shard file into the run's private
 * folder; the main process merges shards in block order and deletes each one.
 * Workers decompress in parallel here, which is where this strategy wins.
 */
export const runShard: StrategyRunner = async (context) => {
  const { input, runStart, writer } = context;
  const { h5, module } = await loadH5();
  const folder = context.scratchDir();
  const pool = workerPool('shardWorker', context.workers);
  const outputBytes = outputTypeFor(input.kind) === 'float32' ? 4 : 8;
  await dispatchBlocks(context, 2 * context.workers, async (plan, signal) => {
    const rows = plan.rowEnd - plan.rowStart;
    const shardPath = join(folder, `shard-${String(plan.index).padStart(6, '0')}.h5`);
    const task: ShardTask = {
      file: input.file, dataset: input.dataset, kind: input.kind, elementBytes: input.elementBytes,
      columns: input.columns, rowStart: plan.rowStart, rows, shardPath,
    };
    const sentAt = epochNow();
    const result: ShardResult = await pool.run(task, { signal });
    const phases = shardPhases(result, sentAt, epochNow(), runStart);
    writer.accept({
      plan,
      bytesIn: rows * input.columns * input.elementBytes,
      phases,
      values: () => {
        const shard = new h5.File(shardPath, 'r');
        try {
          const buffer = readVector(module, shard, '/values', outputBytes, 0, rows);
          return outputBytes === 4 ? new Float32Array(buffer) : new Float64Array(buffer);
        } finally {
          closeQuietly(shard);
        }
      },
      after: () => unlinkSync(shardPath),
    });
  });
};
