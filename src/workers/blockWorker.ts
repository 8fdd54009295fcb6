// Pool strategy: a worker only computes. Blocks arrive as transferred buffers
// and results leave the same way; the main process does all HDF5 I/O. For
// chunked, deflate/shuffle-filtered data the buffer holds the stored chunks and
// the worker decompresses them first, so decompression runs in parallel too.
// The run's buffers (the input, and the output to fill) come with the task and
// go back with the result, so no block allocates memory (see bufferPool.ts).
import { threadId } from 'node:worker_threads';
import { epochNow } from '../main/run/clock';
import { decodeBlock, normsFromChunks, type EncodedBlock } from './compute/decodeChunks';
import { normOutput, outputTypeFor, rowNormsInto, type NumericKind } from './compute/rowNorm';
import { moveResult } from './transfer';

/** When this worker was ready to take blocks (its module evaluated). */
const readyAt = epochNow();

export interface ComputeTask {
  /** The block's rows, little-endian, row-major, at the buffer's start; absent when `encoded` carries stored chunks instead. */
  buffer?: ArrayBuffer;
  encoded?: EncodedBlock;
  /** Where the norms go (at its start): a buffer of the run's, returned as `values`. Absent: a new one. */
  out?: ArrayBuffer;
  kind: NumericKind;
  rows: number;
  columns: number;
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
}

export default function computeBlock(task: ComputeTask): ComputeResult {
  const startedAt = epochNow();
  const out = outputView(task);
  const decodedAt = normsInto(task, out, startedAt);
  const finishedAt = epochNow();
  const values = out.buffer as ArrayBuffer;
  const input = task.encoded?.buffer ?? task.buffer;
  const transfer = input && input !== values ? [values, input] : [values];
  return moveResult({ values, input, threadId, readyAt, startedAt, decodedAt, finishedAt }, transfer);
}

function outputView(task: ComputeTask): Float32Array | Float64Array {
  if (!task.out) return normOutput(task.kind, task.rows);
  return outputTypeFor(task.kind) === 'float32' ? new Float32Array(task.out, 0, task.rows) : new Float64Array(task.out, 0, task.rows);
}

/** One buffer per worker for blocks that must be decoded whole before reducing (chunks narrower than a row). */
let decoded: ArrayBuffer | undefined;

/** Fills `out` with the block's norms; returns when decoding ended (reduced chunk by chunk, decoding is the summed time spent unfiltering). */
function normsInto(task: ComputeTask, out: Float32Array | Float64Array, startedAt: number): number {
  const fused = task.encoded && normsFromChunks(task.encoded, task.kind, out);
  if (fused) return startedAt + fused.unfilterMs;
  let buffer = task.buffer;
  if (task.encoded) {
    const bytes = task.rows * task.columns * task.encoded.elementBytes;
    if (!decoded || decoded.byteLength < bytes) decoded = new ArrayBuffer(bytes);
    buffer = decodeBlock(task.encoded, decoded);
  }
  if (!buffer) throw new Error('a block task carries neither rows nor stored chunks');
  const decodedAt = task.encoded ? epochNow() : startedAt;
  rowNormsInto({ buffer, kind: task.kind, rows: task.rows, columns: task.columns }, out);
  return decodedAt;
}
