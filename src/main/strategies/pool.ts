import { outputBytes as bytesPerValue, outputView } from '../../workers/kernels/compute';
import { BufferPool } from '../run/bufferPool';
import type { ComputeResult, ComputeTask } from '../../workers/blockWorker';
import { epochNow } from '../run/clock';
import { toErrorInfo } from '@shared/errors';
import { hdf5Error } from '../hdf5/errors';
import { span, type StrategyRunner } from './context';
import { dispatchBlocks } from './dispatch';
import { activityChannelName } from '../run/activity';
import { poolStartedAt, workerPool } from './workerPools';

/**
 * Seed variation 1: the main process does all HDF5 I/O; workers only compute.
 * Blocks go out as transferred buffers and come back the same way. At most two
 * blocks per worker are in flight, so memory does not grow with the dataset.
 * For deflate/shuffle-chunked data the main thread sends the stored chunks and
 * workers decompress them (src/main/hdf5/chunkIndex.ts says why).
 */
export const runPool: StrategyRunner = async (context) => {
  const { input, runStart, writer } = context;
  const pool = workerPool('blockWorker', context.workers, true);
  const started = new Set<number>();
  const { activity } = context;
  const activityChannel = activity ? activityChannelName(context.runId) : undefined;
  if (activity) {
    const byFirstRow = new Map(context.blocks.map((plan) => [plan.rowStart, plan.index]));
    activity.listen(context.runId, (firstRow) => byFirstRow.get(firstRow));
    // Workers started for this run (not warm from an earlier one) are starting up until they say otherwise.
    const startedAt = poolStartedAt(pool);
    if (startedAt >= runStart) for (const thread of pool.threads) activity.begin(thread.threadId, 'start', startedAt, { step: 'worker' });
  }
  // One value per row goes into the run's reused output buffers; a statistics partial is small and made anew.
  const perRow = !context.task.stats;
  const outputBytes = bytesPerValue(context.task, input.kind);
  const largestRows = Math.max(0, ...context.blocks.map((b) => b.rowEnd - b.rowStart));
  const rowBytes = input.columns * input.elementBytes;
  // Buffers for blocks in flight, reused block after block (stored chunks are at most a block's rows, plus a little).
  const inputs = context.buffers?.inputs ?? new BufferPool(largestRows * rowBytes);
  const outputs = context.buffers?.outputs ?? new BufferPool(largestRows * outputBytes);
  await dispatchBlocks(context, 2 * context.workers, async (plan, signal) => {
    const rows = plan.rowEnd - plan.rowStart;
    const bytesIn = rows * rowBytes;
    // Taken in block order before any wait, so the earliest unwritten block always has its buffers.
    const [out, into] = await Promise.all([perRow ? outputs.acquire(rows * outputBytes, signal) : undefined, inputs.acquire(bytesIn, signal)]);
    const task: ComputeTask = { task: context.task, kind: input.kind, rows, columns: input.columns, firstRow: plan.rowStart, ...(out ? { out } : {}), ...(activityChannel ? { activity: activityChannel } : {}) };
    const readStart = epochNow();
    let transfer: ArrayBuffer;
    if (context.storedChunks) {
      task.encoded = context.storedChunks(plan, into);
      transfer = task.encoded.buffer;
    } else {
      task.buffer = context.readBlock(plan, into);
      transfer = task.buffer;
    }
    // A block read elsewhere (stored chunks larger than a block) leaves the pool's buffer unused.
    if (transfer !== into) inputs.give(into);
    const sentAt = epochNow();
    let result: ComputeResult;
    try {
      result = await pool.run(task, { transferList: out ? [transfer, out] : [transfer], signal });
    } catch (error) {
      // Cancelled before it left: the buffers are still here.
      inputs.give(transfer);
      outputs.give(task.out);
      // A worker's failure (a chunk it could not decode) names the file, the dataset and the rows, as the other strategies' do.
      const info = toErrorInfo(error);
      if (signal.aborted || info.code !== 'internal') throw error;
      throw hdf5Error(info.detail ?? info.message, input.file, input.dataset, `cannot read rows ${plan.rowStart}..${plan.rowEnd}`);
    }
    inputs.give(result.input);
    const receivedAt = epochNow();
    const lane = result.threadId;
    activity?.blockDone(lane, plan.index);
    if (!started.has(lane)) {
      started.add(lane);
      // A worker started for this run (not warm from an earlier one) shows its start-up on its lane.
      if (result.readyAt > runStart) context.runPhases.push({ ...span('start', lane, Math.max(runStart, poolStartedAt(pool)), result.readyAt, runStart), step: 'worker' });
    }
    const values = !perRow ? outputView(context.task, input.kind, result.values)
      : outputBytes === 4 ? new Float32Array(result.values, 0, rows) : new Float64Array(result.values, 0, rows);
    writer.accept({
      plan,
      bytesIn,
      phases: [
        span('read', 'main', readStart, sentAt, runStart),
        span('queue', lane, sentAt, result.startedAt, runStart),
        // Decompressing stored chunks is the worker's share of reading.
        ...(result.decodedAt > result.startedAt ? [span('read', lane, result.startedAt, result.decodedAt, runStart)] : []),
        span('compute', lane, result.decodedAt, result.finishedAt, runStart),
        span('transfer', lane, result.finishedAt, receivedAt, runStart),
      ],
      ...(result.nonFinite ? { nonFinite: result.nonFinite } : {}),
      values: () => values,
      ...(perRow ? { giveBack: (buffer: ArrayBuffer) => outputs.give(buffer) } : {}),
    });
  });
};
