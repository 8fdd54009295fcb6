// Pool strategy: a worker only computes. Blocks arrive as transferred buffers
// and results leave the same way; the main process does all HDF5 I/O. For
// chunked, deflate/shuffle-filtered data the buffer holds the stored chunks and
// the worker decompresses them first, so decompression runs in parallel too.
import { threadId } from 'node:worker_threads';
import { epochNow } from '../main/run/clock';
import { decodeBlock, normsFromChunks, type EncodedBlock } from './compute/decodeChunks';
import { rowNorms, type NumericKind } from './compute/rowNorm';
import { moveResult } from './transfer';

export interface ComputeTask {
  /** The block's rows, little-endian, row-major; absent when `encoded` carries stored chunks instead. */
  buffer?: ArrayBuffer;
  encoded?: EncodedBlock;
  kind: NumericKind;
  rows: number;
  columns: number;
}

/** When this worker was ready to take blocks (its module evaluated). */
const readyAt = epochNow();

export interface ComputeResult {
  values: ArrayBuffer;
  threadId: number;
  readyAt: number;
  startedAt: number;
  /** When decompression ended and computing began (equal to startedAt for raw blocks). */
  decodedAt: number;
  finishedAt: number;
}

export default function computeBlock(task: ComputeTask): ComputeResult {
  const startedAt = epochNow();
  const { values, decodedAt } = normsOf(task, startedAt);
  const finishedAt = epochNow();
  const buffer = values.buffer as ArrayBuffer;
  return moveResult({ values: buffer, threadId, readyAt, startedAt, decodedAt, finishedAt }, [buffer]);
}

/** The block's norms, and when decoding ended (reduced chunk by chunk, decoding is the summed time spent unfiltering). */
function normsOf(task: ComputeTask, startedAt: number): { values: Float32Array | Float64Array; decodedAt: number } {
  const fused = task.encoded && normsFromChunks(task.encoded, task.kind);
  if (fused) return { values: fused.values, decodedAt: startedAt + fused.unfilterMs };
  const buffer = task.encoded ? decodeBlock(task.encoded) : task.buffer;
  if (!buffer) throw new Error('a block task carries neither rows nor stored chunks');
  const decodedAt = task.encoded ? epochNow() : startedAt;
  return { values: rowNorms({ buffer, kind: task.kind, rows: task.rows, columns: task.columns }), decodedAt };
}
