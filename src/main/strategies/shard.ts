import { unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { PhaseSpan } from '@shared/run';
import { outputBytes as bytesPerValue, outputView, valuesPerBlock } from '../../workers/kernels/compute';
import type { ShardResult, ShardTask } from '../../workers/shardWorker';
import { closeQuietly } from '../hdf5/files';
import { loadH5 } from '../hdf5/h5wasm';
import { readVector } from '../hdf5/rows';
import { epochNow } from '../run/clock';
import { span, type StrategyRunner } from './context';
import { dispatchBlocks } from './dispatch';
import { activityChannelName } from '../run/activity';
import { freeBytes, scratchDiskFull } from '../transaction/diskSpace';
import { StallWatch } from './stallWatch';
import type { DecodeNotice } from '../hdf5/decodeBudget';
import { workerPool } from './workerPools';

/** HDF5's superblock, object headers and heap around a shard's values. */
export const SHARD_OVERHEAD_BYTES = 8 * 1024;

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
  const outputBytes = bytesPerValue(context.task, input.kind);
  const inFlight = 2 * context.workers;
  // Shards are deleted as they are merged: at most one per unwritten block is on disk.
  const largestShard = Math.max(0, ...context.blocks.map((b) => valuesPerBlock(context.task, b.rowEnd - b.rowStart, input.columns))) * outputBytes + SHARD_OVERHEAD_BYTES;
  const scratchBytes = Math.min(context.blocks.length, inFlight) * largestShard;
  const free = freeBytes(folder);
  if (free !== undefined && scratchBytes > free) throw scratchDiskFull(input.file, dirname(folder), scratchBytes, free);
  // The workers decode, so a decode that never returns is stuck in one of them, out of the I/O thread's watch.
  const stalls = new StallWatch(input.file, input.dataset, context.blocks.length);
  const { activity } = context;
  if (activity) {
    const byFirstRow = new Map(context.blocks.map((plan) => [plan.rowStart, plan.index]));
    activity.listen(context.runId, (firstRow) => byFirstRow.get(firstRow));
  }
  try {
    await dispatchBlocks(context, inFlight, (plan, signal) => stalls.watch(plan, async (startedReading) => {
      const rows = plan.rowEnd - plan.rowStart;
      const shardPath = join(folder, `shard-${String(plan.index).padStart(6, '0')}.h5`);
      const reading = new MessageChannel();
      reading.port1.on('message', (notice: DecodeNotice | null) => (notice === null ? startedReading() : startedReading(notice)));
      const task: ShardTask = {
        file: input.file, dataset: input.dataset, kind: input.kind, task: context.task, elementBytes: input.elementBytes,
        rowShape: input.shape.slice(1), columns: input.columns, rowStart: plan.rowStart, rows, shardPath, scratchBytes, reading: reading.port2,
        ...(activity ? { activity: activityChannelName(context.runId) } : {}),
      };
      const sentAt = epochNow();
      let result: ShardResult;
      try {
        result = await pool.run(task, { signal: AbortSignal.any([signal, stalls.signal]), transferList: [reading.port2] });
      } finally {
        reading.port1.close();
      }
      activity?.blockDone(result.threadId, plan.index);
      const phases = shardPhases(result, sentAt, epochNow(), runStart);
      writer.accept({
        plan,
        bytesIn: rows * input.columns * input.elementBytes,
        phases,
        ...(result.nonFinite ? { nonFinite: result.nonFinite } : {}),
        values: () => {
          const shard = new h5.File(shardPath, 'r');
          try {
            const buffer = readVector(module, shard, '/values', outputBytes, 0, valuesPerBlock(context.task, rows, input.columns));
            return outputView(context.task, input.kind, buffer);
          } finally {
            closeQuietly(shard);
          }
        },
        after: () => unlinkSync(shardPath),
      });
    }));
  } finally {
    stalls.stop();
  }
};
