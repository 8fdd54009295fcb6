// One entry point for every place a block is computed (inline on the I/O
// thread, pool and shard workers, the fused chunk decoder): the task names the
// kernel, so the same code runs everywhere and results are the same bits.
import { NO_NON_FINITE, type NonFiniteCounts } from '@shared/run';
import { type KernelBlock, blockElements } from './kernel';
import { rowKernel } from './registry';
import { EXPRESSION_KERNEL, expressionKernel } from './expr';
import { statsInto, statsLength, type StatsTask } from './stats';

/** What a block is asked to compute: plain data, sent to workers. */
export type KernelTask =
  /** `expression` and `shape` (the dataset's): the user's own expression (kernel `expr`). */
  | { kernel: string; stats?: undefined; expression?: string; shape?: number[] }
  | { kernel: 'stats'; stats: StatsTask };

/** Values a block of `rows` rows gives: one per row, or the statistics partial's length. */
export function valuesPerBlock(task: KernelTask, rows: number, columns: number): number {
  return task.stats ? statsLength(task.stats, rows, columns) : rows;
}

export function outputArray(task: KernelTask, kind: KernelBlock['kind'], length: number): Float32Array | Float64Array {
  if (task.stats) return new Float64Array(length);
  return kernelOf(task).outputType(kind) === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/**
 * The block's values into `out` (as outputArray makes it, or a part of one for a run of whole rows);
 * for an expression, the NaN and ±Inf it wrote (undefined for the built-in kernels and statistics).
 */
export function computeInto(task: KernelTask, block: KernelBlock, out: Float32Array | Float64Array): NonFiniteCounts | undefined {
  if (block.rows === 0) return isExpression(task) ? { ...NO_NON_FINITE } : undefined;
  if (task.stats) statsInto(blockElements(block), block, task.stats, out as Float64Array);
  else return kernelOf(task).computeInto(block, out) ?? undefined;
  return undefined;
}

export function computeBlock(task: KernelTask, block: KernelBlock): { values: Float32Array | Float64Array; nonFinite?: NonFiniteCounts } {
  const values = outputArray(task, block.kind, valuesPerBlock(task, block.rows, block.columns));
  const nonFinite = computeInto(task, block, values);
  return nonFinite ? { values, nonFinite } : { values };
}

export function isExpression(task: KernelTask): task is Extract<KernelTask, { stats?: undefined }> & { expression: string } {
  return !task.stats && task.kernel === EXPRESSION_KERNEL && task.expression !== undefined;
}

function kernelOf(task: KernelTask) {
  if (isExpression(task)) return expressionKernel(task.expression, task.shape ?? []);
  const kernel = rowKernel(task.kernel);
  if (!kernel) throw new Error(`unknown computation "${task.kernel}"`);
  return kernel;
}

/** Bytes per output value of `task` on an input of `kind`. */
export function outputBytes(task: KernelTask, kind: KernelBlock['kind']): number {
  return task.stats || kernelOf(task).outputType(kind) === 'float64' ? 8 : 4;
}

/** A block's values as they come back from a worker or a shard, in their typed array. */
export function outputView(task: KernelTask, kind: KernelBlock['kind'], buffer: ArrayBuffer): Float32Array | Float64Array {
  return outputBytes(task, kind) === 8 ? new Float64Array(buffer) : new Float32Array(buffer);
}
