// Pool strategy: a worker only computes. Blocks arrive as transferred buffers
// and results leave the same way; the main process does all HDF5 I/O.
import { threadId } from 'node:worker_threads';
import { epochNow } from '../main/run/clock';
import { rowNorms, type NumericKind } from './compute/rowNorm';
import { moveResult } from './transfer';

export interface ComputeTask {
  buffer: ArrayBuffer;
  kind: NumericKind;
  rows: number;
  columns: number;
}

export interface ComputeResult {
  values: ArrayBuffer;
  threadId: number;
  startedAt: number;
  finishedAt: number;
}

export default function computeBlock(task: ComputeTask): ComputeResult {
  const startedAt = epochNow();
  const values = rowNorms(task);
  const finishedAt = epochNow();
  return moveResult({ values: values.buffer as ArrayBuffer, threadId, startedAt, finishedAt }, [values.buffer as ArrayBuffer]);
}
