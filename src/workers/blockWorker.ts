// Pool strategy: a worker only computes. Blocks arrive as transferred buffers
// and results leave the same way; the main process does all HDF5 I/O. For
// chunked, deflate/shuffle-filtered data the buffer holds the stored chunks and
// the worker decompresses them first, so decompression runs in parallel too.
// The run's buffers (the input, and the output to fill) come with the task and
// go back with the result, so no block allocates memory (see bufferPool.ts).
import { threadId } from 'node:worker_threads';
import { epochNow } from '../main/run/clock';
import { reportWorkerActivity } from '../main/run/activity';
import { decodeBlock, rowsFromChunks, type EncodedBlock } from './compute/decodeChunks';
import type { NumericKind } from './compute/rowNorm';
import { computeInto, outputArray, outputBytes, valuesPerBlock, type KernelTask } from './kernels/compute';
import { moveResult } from './transfer';
import type { NonFiniteCounts } from '@shared/run';

/** When this worker was ready to take blocks (its module evaluated). */
const readyAt = epochNow();

export interface ComputeTask {
  /** The block's rows, little-endian, row-major, at the buffer's start; absent when `encoded` carries stored chunks instead. */
  buffer?: ArrayBuffer;
  encoded?: EncodedBlock;
  /** Where the values go (at its start): a buffer of the run's, returned as `values`. Absent: a new one. */
  out?: ArrayBuffer;
  /** What to compute (src/workers/kernels). */
  task: KernelTask;
  /** The dataset's index of the block's first row. */
  firstRow?: number;
  kind: NumericKind;
  rows: number;
  columns: number;
  /** The run's activity channel (src/main/run/activity.ts): the worker says there when it starts the block. */
  activity?: string;
}

export interface ComputeResult {
  /** The norms, at the start of the task's `out` buffer when it had one. */
  values: ArrayBuffer;
  /** The task's input buffer, given back for the next block. */
  input?: ArrayBuffer;
  threadId: number;
  readyAt: number;
  startedAt: number;
  /** When decompression ended and computing began (equal to startedAt for raw blocks). */
  decodedAt: number;
  finishedAt: number;
  /** An expression's NaN and ±Inf in this block. */
  nonFinite?: NonFiniteCounts;
}

export default function computeBlock(task: ComputeTask): ComputeResult {
  const startedAt = epochNow();
  // Stored chunks are decompressed first: the worker's share of reading.
  reportWorkerActivity(task.activity, { lane: threadId, phase: task.encoded ? 'read' : 'compute', at: startedAt, firstRow: task.firstRow });
  const out = outputView(task);
  const { decodedAt, nonFinite } = valuesInto(task, out, startedAt);
  const finishedAt = epochNow();
  const values = out.buffer as ArrayBuffer;
  const input = task.encoded?.buffer ?? task.buffer;
  const transfer = input && input !== values ? [values, input] : [values];
  return moveResult({ values, input, threadId, readyAt, startedAt, decodedAt, finishedAt, ...(nonFinite ? { nonFinite } : {}) }, transfer);
}

function outputView(task: ComputeTask): Float32Array | Float64Array {
  const length = valuesPerBlock(task.task, task.rows, task.columns);
  const bytes = outputBytes(task.task, task.kind);
  if (!task.out || task.out.byteLength < length * bytes) return outputArray(task.task, task.kind, length);
  return bytes === 4 ? new Float32Array(task.out, 0, length) : new Float64Array(task.out, 0, length);
}

/** One buffer per worker for blocks that must be decoded whole before reducing (chunks narrower than a row). */
let decoded: ArrayBuffer | undefined;

/** Fills `out` with the block's values; returns when decoding ended (reduced chunk by chunk, decoding is the summed time spent unfiltering). */
function valuesInto(task: ComputeTask, out: Float32Array | Float64Array, startedAt: number): { decodedAt: number; nonFinite?: NonFiniteCounts } {
  // (Expressions are never fused: rowsFromChunks declines them.)
  const fused = task.encoded && rowsFromChunks(task.encoded, task.task, task.kind, out);
  if (fused) return { decodedAt: startedAt + fused.unfilterMs };
  let buffer = task.buffer;
  if (task.encoded) {
    const bytes = task.rows * task.columns * task.encoded.elementBytes;
    if (!decoded || decoded.byteLength < bytes) decoded = new ArrayBuffer(bytes);
    buffer = decodeBlock(task.encoded, decoded);
  }
  if (!buffer) throw new Error('a block task carries neither rows nor stored chunks');
  const decodedAt = task.encoded ? epochNow() : startedAt;
  if (task.encoded) reportWorkerActivity(task.activity, { lane: threadId, phase: 'compute', at: decodedAt, firstRow: task.firstRow });
  const nonFinite = computeInto(task.task, { buffer, kind: task.kind, rows: task.rows, columns: task.columns, firstRow: task.firstRow }, out);
  return { decodedAt, nonFinite };
}
