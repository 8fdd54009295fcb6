import { outputView } from '../../workers/kernels/compute';
import type { ComputeResult, ComputeTask } from '../../workers/blockWorker';
import { epochNow } from '../run/clock';
import { span, type StrategyRunner } from './context';
import { dispatchBlocks } from './dispatch';
import { workerPool } from './workerPools';

/**
 * Seed variation 1: the main process does all HDF5 I/O; workers only compute.
 * Blocks go out as transferred buffers and come back the same way. At most two
 * blocks per worker are in flight, so memory does not grow with the dataset.
 * For deflate/shuffle-chunked data the main thread sends the stored chunks and
 * workers decompress them (src/main/hdf5/chunkIndex.ts says why).
 */
export const runPool: StrategyRunner = async (context) => {
  const { input, runStart, writer } = context;
  const pool = workerPool('blockWorker', context.workers);
  await dispatchBlocks(context, 2 * context.workers, async (plan, signal) => {
    const readStart = epochNow();
    const rows = plan.rowEnd - plan.rowStart;
    const task: ComputeTask = { task: context.task, kind: input.kind, rows, columns: input.columns };
    let transfer: ArrayBuffer;
    if (context.storedChunks) {
      task.encoded = context.storedChunks(plan);
      transfer = task.encoded.buffer;
    } else {
      task.buffer = context.readBlock(plan);
      transfer = task.buffer;
    }
    const sentAt = epochNow();
    const bytesIn = rows * input.columns * input.elementBytes;
    const result: ComputeResult = await pool.run(task, { transferList: [transfer], signal });
    const receivedAt = epochNow();
    const lane = result.threadId;
    const values = outputView(context.task, input.kind, result.values);
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
      values: () => values,
    });
  });
};
