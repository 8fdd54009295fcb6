import type { PhaseSpan } from '@shared/run';
import type { EncodedBlock } from '../../workers/compute/decodeChunks';
import type { NumericKind } from '../../workers/compute/rowNorm';
import type { KernelTask } from '../../workers/kernels/compute';
import type { BlockPlan } from '@shared/blocks';
import type { OrderedWriter } from '../run/orderedWriter';
import type { BufferPool } from '../run/bufferPool';
import type { RunActivity } from '../run/activity';

export interface InputInfo {
  /** Absolute path of the user's file (read-only during the run). */
  file: string;
  dataset: string;
  kind: NumericKind;
  rows: number;
  /** Elements per row: the product of every axis but the first. */
  columns: number;
  /** The dataset's shape; blocks are runs of entries along its first axis. */
  shape: number[];
  elementBytes: number;
}

/** Everything a strategy needs; the engine owns files, output and timing bookkeeping. */
export interface StrategyContext {
  runId: string;
  input: InputInfo;
  /** What each block computes (src/workers/kernels): sent to workers as it is. */
  task: KernelTask;
  blocks: BlockPlan[];
  workers: number;
  /** Epoch ms the run started; spans are reported relative to it. */
  runStart: number;
  signal: AbortSignal;
  /** Reads a block of the input on the main thread (pool), at the start of `into` when it is large enough. */
  readBlock(plan: BlockPlan, into?: ArrayBuffer): ArrayBuffer;
  /**
   * For chunked data with deflate/shuffle filters: a block's stored chunks, read
   * from the file without decompressing them, for a worker to decode. Absent
   * when the dataset must be read through h5wasm.
   */
  storedChunks?(plan: BlockPlan, into?: ArrayBuffer): EncodedBlock;
  /** Reads a block into the wasm heap and hands it to `use` there, without copying it out (inline). */
  withBlockInHeap<T>(plan: BlockPlan, use: (heap: ArrayBuffer, byteOffset: number, bytes: number) => T): T;
  writer: OrderedWriter;
  /** The run's block buffers (bufferPool.ts), when the engine keeps them to report how many were allocated. */
  buffers?: { inputs: BufferPool; outputs: BufferPool };
  /** Blocks accepted but not yet written: strategies wait on this to bound memory. */
  onWritten(listener: () => void): void;
  /** Spans that belong to the run, not to one block (worker start-up). */
  runPhases: PhaseSpan[];
  /** What each lane is doing now, for a timeline drawn while the run goes (activity.ts); absent in callers that draw none. */
  activity?: RunActivity;
  /** A run-private folder for intermediate files; the engine removes it. */
  scratchDir(): string;
  /** vds: the output's shard folder beside the file (src/main/run/shardFolder.ts), where workers write the shards the output maps. */
  shardFolder?: string;
  /** dask: the scheduler to use (none: a local cluster) and the Python to run the driver with. */
  cluster: { scheduler?: string; python?: string };
  /** What the strategy learns that the result and the output's provenance record. */
  notes: RunNotes;
}

export interface RunNotes {
  /** dask: the scheduler's address, or 'local' for a cluster the run started itself. */
  scheduler?: string;
  /** dask: the scheduler in words, for the output's provenance. */
  schedulerDescription?: string;
  /** dask: how many workers the cluster had when the run started (a scheduler's cluster is not sized by the request). */
  workers?: number;
  /** vds: every shard written, the rows it holds; the engine maps the output onto them. */
  shards?: WrittenShard[];
}

export interface WrittenShard {
  path: string;
  rowStart: number;
  rowEnd: number;
}

export type StrategyRunner = (context: StrategyContext) => Promise<void>;

/** A span from two epoch stamps. */
export function span(phase: PhaseSpan['phase'], lane: PhaseSpan['lane'], start: number, end: number, runStart: number): PhaseSpan {
  return { phase, lane, start: start - runStart, end: end - runStart };
}
