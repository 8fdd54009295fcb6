import { outputTypeFor } from '../../workers/compute/rowNorm';
import type { ComputeResult, ComputeTask } from '../../workers/blockWorker';
import { epochNow } from '../run/clock';
import { toErrorInfo } from '../../shared/errors';
import { hdf5Error } from '../hdf5/errors';
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
    const task: ComputeTask = { kind: input.kind, rows, columns: input.columns };
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
    let result: ComputeResult;
    try {
      result = await pool.run(task, { transferList: [transfer], signal });
    } catch (error) {
      // A worker's failure (a chunk it could not decode) names the file, the dataset and the rows, as the other strategies' do.
      const info = toErrorInfo(error);
      if (signal.aborted || info.code !== 'internal') throw error;
      throw hdf5Error(info.detail ?? info.message, input.file, input.dataset, `cannot read rows ${plan.rowStart}..${plan.rowEnd}`);
    }
    const receivedAt = epochNow();
    const lane = result.threadId;
    const values = outputTypeFor(input.kind) === 'float32' ? new Float32Array(result.values) : new Float64Array(result.values);
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
