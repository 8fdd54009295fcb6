// Shard strategy ("poor man's MapReduce"): a worker opens the input itself,
// read-only, computes its block and writes the result to its own shard file;
// the main process merges shards in order and deletes them.
import { threadId } from 'node:worker_threads';
import { closeQuietly, createHdf5, openHdf5 } from '../main/hdf5/files';
import { loadH5 } from '../main/hdf5/h5wasm';
import { readRows } from '../main/hdf5/rows';
import { epochNow } from '../main/run/clock';
import { syncShard } from '../main/run/shardFolder';
import { toErrorInfo } from '../shared/errors';
import { rowNorms, type NumericKind } from './compute/rowNorm';

export interface ShardTask {
  file: string;
  dataset: string;
  kind: NumericKind;
  elementBytes: number;
  columns: number;
  rowStart: number;
  rows: number;
  shardPath: string;
  /** vds: the shard is the output itself, so it is made durable and its values come back for the run's SHA-256. */
  keep?: boolean;
}

export interface ShardResult {
  threadId: number;
  /** Present on the task that paid for loading h5wasm in this thread. */
  init?: { start: number; end: number };
  readStart: number;
  readEnd: number;
  computeEnd: number;
  writeEnd: number;
  bytesOut: number;
  /** With `keep`: the block's values (the shard's contents). */
  values?: Float32Array | Float64Array;
}

let initialised = false;

export default async function computeShard(task: ShardTask): Promise<ShardResult> {
  try {
    return await computeShardBlock(task);
  } catch (error) {
    // An Error crossing to the main thread keeps only its message, losing the
    // H5BlocksError code; plain data crosses whole.
    throw toErrorInfo(error);
  }
}

async function computeShardBlock(task: ShardTask): Promise<ShardResult> {
  let init: ShardResult['init'];
  if (!initialised) {
    const start = epochNow();
    await loadH5();
    initialised = true;
    init = { start, end: epochNow() };
  }
  const { module } = await loadH5();
  const readStart = epochNow();
  const input = await openHdf5(task.file, 'read');
  let buffer: ArrayBuffer;
  try {
    buffer = readRows(module, input, task.dataset, task.elementBytes, task.columns, task.rowStart, task.rows);
  } finally {
    closeQuietly(input);
  }
  const readEnd = epochNow();
  const values = rowNorms({ buffer, kind: task.kind, rows: task.rows, columns: task.columns });
  const computeEnd = epochNow();
  const shard = await createHdf5(task.shardPath);
  try {
    shard.create_dataset({ name: 'values', data: values });
  } finally {
    closeQuietly(shard);
  }
  if (task.keep) syncShard(task.shardPath);
  return { threadId, init, readStart, readEnd, computeEnd, writeEnd: epochNow(), bytesOut: values.byteLength, ...(task.keep ? { values } : {}) };
}
