import { mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { BlockPlan } from '@shared/blocks';
import type { PhaseSpan } from '@shared/run';
import { DaskDriver, pythonFor, unexpectedExit, type DriverEvent, type DriverPlan } from '../dask/driver';
import { isExpression, outputBytes as bytesPerValue, outputView, valuesPerBlock } from '../../workers/kernels/compute';
import { compileExpressionCached, numpyModule } from '../../workers/kernels/expression';
import { fsError } from '../fsErrors';
import { epochNow } from '../run/clock';
import { daskShardFolderOf, removeDaskShardFolder } from '../run/daskShardFolder';
import { span, type StrategyContext, type StrategyRunner } from './context';

const CONNECT_TIMEOUT_SECONDS = 10;

/**
 * The shard pattern on a Dask cluster: a Python driver submits one task per
 * block; each task reads its rows read-only with h5py, computes them with the
 * kernel's arithmetic and writes a shard beside the input (the one place every
 * worker can reach, since they all read the input). Shards are merged here, in
 * block order, through the engine's writer: only this process writes the file.
 */
export const runDask: StrategyRunner = async (context) => {
  const folder = daskShardFolderOf(context.input.file, context.runId);
  try {
    mkdirSync(folder);
  } catch (error) {
    throw fsError(error, folder, 'make the shard folder the Dask workers write into');
  }
  try {
    await drive(context, folder);
  } finally {
    await removeDaskShardFolder(folder);
  }
};

function drive(context: StrategyContext, folder: string): Promise<void> {
  const { input, runStart, writer, signal, blocks } = context;
  const python = pythonFor(context.cluster.python);
  const outputBytes = bytesPerValue(context.task, input.kind);
  const byIndex = new Map(blocks.map((plan) => [plan.index, plan]));
  const startedAt = epochNow();
  let failure: unknown;
  let finished = false;

  return new Promise<void>((resolvePromise, reject) => {
    const onEvent = (event: DriverEvent) => {
      if (failure !== undefined || signal.aborted) return;
      try {
        if (event.event === 'connected') {
          context.runPhases.push(span('init', 'main', startedAt, epochNow(), runStart));
          context.notes.scheduler = event.local ? 'local' : event.scheduler;
          context.notes.workers = event.workers.length;
          context.notes.schedulerDescription = event.local
            ? `local cluster ${event.scheduler} (${event.workers.length} Dask workers)`
            : event.scheduler;
        } else if (event.event === 'block') {
          const plan = byIndex.get(event.index);
          if (!plan) throw new H5BlocksError('cluster', `the Dask driver reported block ${event.index}, which is not in the plan`);
          accept(context, plan, event, join(folder, `shard-${String(plan.index).padStart(6, '0')}.bin`), outputBytes);
        } else if (event.event === 'done') {
          finished = true;
        } else if (event.event === 'error') {
          failure = new H5BlocksError('cluster', event.message);
        }
      } catch (error) {
        failure = error;
        driver.cancel();
      }
    };
    const driver = new DaskDriver(python, {
      runId: context.runId, file: input.file, dataset: input.dataset, kind: input.kind, task: driverTask(context),
      blocks: blocks.map((plan) => [plan.index, plan.rowStart, plan.rowEnd]),
      shardDir: folder, scheduler: context.cluster.scheduler, workers: context.workers,
      connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS,
    }, onEvent, (error) => {
      failure ??= error;
    });
    const onAbort = () => driver.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    void driver.exited.then((exit) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(signal.reason);
      else if (failure !== undefined) reject(naming(context, failure));
      else if (!finished || exit.code !== 0 || writer.written !== blocks.length) reject(naming(context, unexpectedExit(exit, python)));
      else resolvePromise();
    });
  });
}

/** The block task for the Dask workers: an expression goes with its numpy twin, compiled here from its checked tree. */
function driverTask(context: StrategyContext): DriverPlan['task'] {
  const { task, input } = context;
  if (!isExpression(task)) return task;
  return { ...task, numpy: numpyModule(compileExpressionCached(task.expression, input.shape, input.kind)) };
}

/** The driver's and the cluster's errors do not know the file: say which file and dataset the run was on. */
function naming(context: StrategyContext, error: unknown): unknown {
  if (!(error instanceof H5BlocksError) || error.code !== 'cluster') return error;
  const { file, dataset } = context.input;
  return new H5BlocksError('cluster', `${basename(file)}: ${dataset}: dask: ${error.message}`, { file, object: dataset });
}

function accept(context: StrategyContext, plan: BlockPlan, event: Extract<DriverEvent, { event: 'block' }>, shardPath: string, outputBytes: number): void {
  const { input, runStart } = context;
  const rows = plan.rowEnd - plan.rowStart;
  const phases: PhaseSpan[] = (['read', 'compute', 'shard-write'] as const).map((phase) => {
    const [start, end] = event.phases[phase];
    return span(phase, event.worker, start, end, runStart);
  });
  context.writer.accept({
    plan,
    bytesIn: rows * input.columns * input.elementBytes,
    phases,
    ...(event.nonFinite ? { nonFinite: event.nonFinite } : {}),
    values: () => readShard(context, shardPath, plan, valuesPerBlock(context.task, rows, input.columns) * outputBytes),
    after: () => unlinkSync(shardPath),
  });
}

function readShard(context: StrategyContext, path: string, plan: BlockPlan, expectedBytes: number): Float32Array | Float64Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fsError(error, path, `read the shard of block ${plan.index}`);
  }
  if (bytes.byteLength !== expectedBytes) {
    throw new H5BlocksError('cluster', `${path}: the shard of block ${plan.index} holds ${bytes.byteLength} bytes, not ${expectedBytes}`);
  }
  // A copy: typed arrays need an aligned buffer of their own.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return outputView(context.task, context.input.kind, buffer as ArrayBuffer);
}
