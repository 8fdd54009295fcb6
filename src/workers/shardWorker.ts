// Shard strategy ("poor man's MapReduce"): a worker opens the input itself,
// read-only, computes its block and writes the result to its own shard file;
// the main process merges shards in order and deletes them.
import { reportWorkerActivity } from '../main/run/activity';
import { unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId, type MessagePort } from 'node:worker_threads';
import { freeBytes, scratchDiskFull } from '../main/transaction/diskSpace';
import { closeQuietly, createHdf5, openHdf5 } from '../main/hdf5/files';
import { loadH5, type H5File } from '../main/hdf5/h5wasm';
import { readRows } from '../main/hdf5/rows';
import { reportDecodesTo } from '../main/hdf5/decodeBudget';
import { epochNow } from '../main/run/clock';
import { syncShard } from '../main/run/shardFolder';
import { toErrorInfo } from '@shared/errors';
import type { NumericKind } from './compute/rowNorm';
import { computeBlock, type KernelTask } from './kernels/compute';
import type { NonFiniteCounts } from '@shared/run';

export interface ShardTask {
  file: string;
  dataset: string;
  kind: NumericKind;
  /** What to compute (src/workers/kernels). */
  task: KernelTask;
  elementBytes: number;
  /** The dataset's axes after the first (none for 1-D). */
  rowShape: number[];
  /** Elements per row. */
  columns: number;
  rowStart: number;
  rows: number;
  shardPath: string;
  /** What the run's scratch shards may take at once, for the message if the scratch disk fills (not for vds, whose shards are its output). */
  scratchBytes?: number;
  /** The run's activity channel (src/main/run/activity.ts): the worker says there which phase of the block it starts. */
  activity?: string;
  /** Told when this worker starts reading (h5wasm is loaded): from then on the run's stall limit applies; then its filtered read (DecodeNotice), which gets a budget. */
  reading?: MessagePort;
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
  /** An expression's NaN and ±Inf in this block. */
  nonFinite?: NonFiniteCounts;
}

let initialised = false;
/** A shard this small still fails on a disk with less free: HDF5's own bytes around the values. */
const SHARD_MARGIN_BYTES = 64 * 1024;

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
  const say = (phase: 'init' | 'read' | 'compute' | 'shard-write', at: number) => reportWorkerActivity(task.activity, { lane: threadId, phase, at, firstRow: task.rowStart });
  if (!initialised) {
    const start = epochNow();
    say('init', start);
    await loadH5();
    initialised = true;
    init = { start, end: epochNow() };
  }
  const { module } = await loadH5();
  task.reading?.postMessage(null);
  // The filtered read's size goes to the run's stall watch, which gives it a budget (a decoder looping on a damaged chunk).
  const reading = task.reading;
  reportDecodesTo(reading ? (notice) => reading.postMessage(notice) : undefined);
  const readStart = epochNow();
  say('read', readStart);
  let buffer: ArrayBuffer;
  try {
    const input = await openHdf5(task.file, 'read');
    try {
      buffer = readRows(module, input, task.dataset, task.elementBytes, task.rowShape, task.rowStart, task.rows);
    } finally {
      closeQuietly(input);
    }
  } finally {
    reportDecodesTo(undefined);
    reading?.close();
  }
  const readEnd = epochNow();
  say('compute', readEnd);
  const { values, nonFinite } = computeBlock(task.task, { buffer, kind: task.kind, rows: task.rows, columns: task.columns, firstRow: task.rowStart });
  const computeEnd = epochNow();
  say('shard-write', computeEnd);
  await writeShard(task, values);
  if (task.keep) syncShard(task.shardPath);
  return {
    threadId, init, readStart, readEnd, computeEnd, writeEnd: epochNow(), bytesOut: values.byteLength, ...(task.keep ? { values } : {}), ...(nonFinite ? { nonFinite } : {}),
  };
}

/**
 * HDF5 reports a write the disk refused as a damaged structure, not as ENOSPC.
 * The run checked at its start that the scratch disk had room for every shard
 * it keeps at once: a shard that then fails to write while the disk has less
 * than that free is the disk having filled, said in the same one line as every
 * other disk-full case. (Free space is read before this shard's partial file
 * is removed, which would give back its own bytes.)
 */
async function writeShard(task: ShardTask, values: Float32Array | Float64Array): Promise<void> {
  let shard: H5File | undefined;
  try {
    shard = await createHdf5(task.shardPath);
    shard.create_dataset({ name: 'values', data: values });
    shard.close();
    shard = undefined;
  } catch (error) {
    closeQuietly(shard);
    const free = freeBytes(dirname(task.shardPath));
    try {
      unlinkSync(task.shardPath);
    } catch {
      // Never made.
    }
    if (task.scratchBytes !== undefined && free !== undefined && free < Math.max(task.scratchBytes, values.byteLength + SHARD_MARGIN_BYTES)) {
      // Named by the temp folder the run's folder is in: that is the disk to free, or to change with TMPDIR.
      throw scratchDiskFull(task.file, dirname(dirname(task.shardPath)), task.scratchBytes, free);
    }
    throw error;
  }
}
