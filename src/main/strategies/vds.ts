import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { ShardResult, ShardTask } from '../../workers/shardWorker';
import { epochNow } from '../run/clock';
import { shardName } from '../run/shardFolder';
import type { StrategyRunner, WrittenShard } from './context';
import { shardPhases } from './shard';
import { dispatchBlocks } from './dispatch';
import { workerPool } from './workerPools';
import { StallWatch } from './stallWatch';
import type { DecodeNotice } from '../hdf5/decodeBudget';

/**
 * Seed variation 3: the parent maintains a virtual dataset, the workers their
 * own shards. Each worker reads its block, computes it and writes it as a shard
 * file in the output's folder beside the file; nothing is merged. The engine
 * maps the output's rows onto the shards (src/main/run/virtualOutput.ts). The
 * values come back only to be hashed, for comparing runs bit for bit.
 */
export const runVds: StrategyRunner = async (context) => {
  const { input, runStart, writer, runId } = context;
  const folder = context.shardFolder;
  if (!folder) throw new Error('a vds run needs its shard folder');
  const pool = workerPool('shardWorker', context.workers);
  const shards: WrittenShard[] = [];
  context.notes.shards = shards;
  // As in shard: the workers decode, so a decode that loops is watched from here (budget, then stall limit).
  const stalls = new StallWatch(input.file, input.dataset, context.blocks.length);
  try {
    await dispatchBlocks(context, 2 * context.workers, (plan, signal) => stalls.watch(plan, async (startedReading) => {
      const rows = plan.rowEnd - plan.rowStart;
      const shardPath = join(folder, shardName(runId, plan.index));
      const reading = new MessageChannel();
      reading.port1.on('message', (notice: DecodeNotice | null) => (notice === null ? startedReading() : startedReading(notice)));
      const task: ShardTask = {
        file: input.file, dataset: input.dataset, kind: input.kind, task: context.task, elementBytes: input.elementBytes,
        rowShape: input.shape.slice(1), columns: input.columns, rowStart: plan.rowStart, rows, shardPath, keep: true, reading: reading.port2,
      };
      const sentAt = epochNow();
      // Recorded before it exists: if the run fails midway, the engine removes what was written.
      shards.push({ path: shardPath, rowStart: plan.rowStart, rowEnd: plan.rowEnd });
      let result: ShardResult;
      try {
        result = await pool.run(task, { signal: AbortSignal.any([signal, stalls.signal]), transferList: [reading.port2] });
      } finally {
        reading.port1.close();
      }
      const phases = shardPhases(result, sentAt, epochNow(), runStart);
      const values = result.values;
      if (!values) throw new Error('the shard worker did not return the block\'s values');
      writer.accept({ plan, bytesIn: rows * input.columns * input.elementBytes, phases, ...(result.nonFinite ? { nonFinite: result.nonFinite } : {}), values: () => values });
    }));
  } finally {
    stalls.stop();
  }
  shards.sort((a, b) => a.rowStart - b.rowStart);
};
