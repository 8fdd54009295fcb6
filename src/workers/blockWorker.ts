// Pool strategy: a worker only computes. Blocks arrive as transferred buffers
// and results leave the same way; the main process does all HDF5 I/O. For
// chunked, deflate/shuffle-filtered data the buffer holds the stored chunks and
// the worker decompresses them first, so decompression runs in parallel too.
import { threadId } from 'node:worker_threads';
import { epochNow } from '../main/run/clock';
import { decodeBlock, rowsFromChunks, type EncodedBlock } from './compute/decodeChunks';
import type { NumericKind } from './compute/rowNorm';
import { computeBlock as computeKernel, type KernelTask } from './kernels/compute';
import { moveResult } from './transfer';

export interface ComputeTask {
  /** The block's rows, little-endian, row-major; absent when `encoded` carries stored chunks instead. */
  buffer?: ArrayBuffer;
  encoded?: EncodedBlock;
  /** What to compute (src/workers/kernels). */
  task: KernelTask;
  kind: NumericKind;
  rows: number;
  columns: number;
}

export interface ComputeResult {
  values: ArrayBuffer;
  threadId: number;
  startedAt: number;
  /** When decompression ended and computing began (equal to startedAt for raw blocks). */
  decodedAt: number;
  finishedAt: number;
}

export default function computeBlock(task: ComputeTask): ComputeResult {
  const startedAt = epochNow();
  const { values, decodedAt } = valuesOf(task, startedAt);
  const finishedAt = epochNow();
  const buffer = values.buffer as ArrayBuffer;
  return moveResult({ values: buffer, threadId, startedAt, decodedAt, finishedAt }, [buffer]);
}

/** The block's values, and when decoding ended (reduced chunk by chunk, decoding is the summed time spent unfiltering). */
function valuesOf(task: ComputeTask, startedAt: number): { values: Float32Array | Float64Array; decodedAt: number } {
  const fused = task.encoded && rowsFromChunks(task.encoded, task.task, task.kind);
  if (fused) return { values: fused.values, decodedAt: startedAt + fused.unfilterMs };
  const buffer = task.encoded ? decodeBlock(task.encoded) : task.buffer;
  if (!buffer) throw new Error('a block task carries neither rows nor stored chunks');
  const decodedAt = task.encoded ? epochNow() : startedAt;
  return { values: computeKernel(task.task, { buffer, kind: task.kind, rows: task.rows, columns: task.columns }), decodedAt };
}
