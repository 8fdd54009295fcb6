import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fsError } from '../fsErrors';
import { basename, resolve } from 'node:path';
import { H5BlocksError, toErrorInfo } from '../../shared/errors';
import { MAX_WORKERS, STRATEGIES, defaultOutputName, isSchedulerAddress, type BlockTiming, type PhaseSpan, type RunProgress, type RunRequest, type RunResult, type Strategy } from '../../shared/run';
import { OUTPUT_BYTES } from '../../workers/compute/rowNorm';
import { DEFAULT_KERNEL, ROW_KERNELS, rowKernel } from '../../workers/kernels/registry';
import type { RowKernel } from '../../workers/kernels/kernel';
import { checkReadableFile, closeQuietly } from '../hdf5/files';
import { normalizePath } from '../hdf5/entities';
import { loadH5, type H5File } from '../hdf5/h5wasm';
import { removeLink } from '../hdf5/unlink';
import { chunksForRows, findChunkLayout, readStoredChunks, type ChunkLayout } from '../hdf5/chunkIndex';
import { findContiguousStorage, readContiguousRows } from '../hdf5/contiguousStorage';
import type { EncodedBlock } from '../../workers/compute/decodeChunks';
import type { ByteStore } from '../transaction/byteStore';
import type { BlockPlan } from '../../shared/blocks';
import { checkBlockBytes, readRows, withRowsInHeap, writeRows } from '../hdf5/rows';
import type { RunNotes, StrategyRunner } from '../strategies/context';
import { runDask } from '../strategies/dask';
import { runInline } from '../strategies/inline';
import { runPool } from '../strategies/pool';
import { runShard } from '../strategies/shard';
import { runVds } from '../strategies/vds';
import { APP_VERSION } from '../version';
import { defaultBlockRows, planBlocks } from '../../shared/blocks';
import { epochNow } from './clock';
import { usableInput, type UsableInput } from './inputDataset';
import { OrderedWriter } from './orderedWriter';
import { outputHash } from './outputHash';
import { beginTransaction, type Transaction } from '../transaction/transaction';
import { checkOutputPath, describeExisting, expectedOutputBytes, outputExists, prepareOutput, whyNotReusable, writeProvenance } from './output';
import { summarise } from './summary';
import { isOwnShard, pruneEmptyFolders, removeShards, shardFolderOf } from './shardFolder';
import { checkVirtualRows, createVirtualOutput, finishVirtualOutput, removeUnusedShards, sourcesOf } from './virtualOutput';

export const RUNNERS: Record<Strategy, StrategyRunner> = { inline: runInline, pool: runPool, shard: runShard, dask: runDask, vds: runVds };
/** Strategies whose workers write shards that the main thread merges. */
const MERGING: readonly Strategy[] = ['shard', 'dask'];

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Runs a per-row kernel (the row norm by default) over one dataset and writes the result into
 * the same file, in place, inside a transaction (src/main/transaction): until
 * its commit point nothing the file held is overwritten, and a failure or a
 * cancel leaves the file byte for byte as it was.
 */
export async function runComputation(request: RunRequest, hooks: RunHooks = {}, runId = newRunId()): Promise<RunResult> {
  checkRequest(request);
  const kernel = kernelOf(request);
  const file = resolve(request.file);
  const signal = hooks.signal ?? new AbortController().signal;
  const { module } = await loadH5();
  checkReadableFile(file);
  const dataset = normalizePath(request.dataset);
  const output = checkOutputPath(file, dataset, request.output ?? defaultOutputName(dataset, kernel.name));
  const runStart = epochNow();
  const startedAt = new Date(runStart).toISOString();
  const runPhases: PhaseSpan[] = [];
  const rel = (t: number) => t - runStart;
  const transaction = beginTransaction(file, runId);
  let h5file: H5File | undefined;
  const virtual = request.strategy === 'vds';
  const notes: RunNotes = {};
  let committed = false;
  let writerOfRun: OrderedWriter | undefined;
  try {
    h5file = await transaction.openH5();
    const input = usableInput(h5file, dataset, kernel);
    if (virtual) checkVirtualRows(basename(file), file, input.dataset, input.rows);
    // Under the file's lock, before this run writes any: shards a crashed run left.
    removeUnusedShards(file, transaction.store, h5file);
    const workers = request.strategy === 'inline' ? 1 : request.workers;
    const rowBytes = input.columns * input.elementBytes;
    const blockRows = request.blockRows ?? defaultBlockRows(input.rows, rowBytes, input.chunkRows, workers);
    checkBlockBytes(blockRows * rowBytes, basename(file), input.dataset);
    const existing = describeExisting(h5file, output);
    if (existing && !request.overwrite) throw outputExists(basename(file), output, existing, file);
    if (existing && !existing.startsWith('a dataset')) {
      throw new H5BlocksError('output-conflict', `${basename(file)}: ${output} is ${existing}, not a dataset; overwrite only ever replaces a dataset, choose another output name`, { file, object: output });
    }
    const outputType = kernel.outputType(input.kind);
    transaction.expectBytes(expectedOutputBytes(input.rows, outputType));
    // An old virtual output's shards go once the new output is committed.
    const previousShards = existing ? sourcesOf(transaction.store, file, output).filter((shard) => isOwnShard(file, shard)) : [];
    // A virtual output is always made anew (h5wasm cannot make one in place).
    if (existing && (virtual || whyNotReusable(h5file, output, input.rows, outputType) !== undefined)) {
      // An output of another shape or type cannot be rewritten in place and
      // h5wasm cannot delete links: remove the link from the group on disk
      // (through the transaction, like HDF5's own writes), with h5wasm closed.
      h5file.close();
      h5file = undefined;
      unlinkForOverwrite(transaction, output, basename(file), existing);
      h5file = await transaction.openH5();
    }
    const target = h5file;
    const outputDataset = virtual
      ? createVirtualOutput(target, output, outputType, basename(file))
      : prepareOutput(target, output, input.rows, outputType, request.overwrite === true, basename(file));
    const shardFolder = virtual ? makeShardFolder(file, output) : undefined;
    runPhases.push({ phase: 'log', lane: 'main', start: 0, end: rel(epochNow()) });

    const blocks = planBlocks(input.rows, blockRows);
    const timings: BlockTiming[] = [];
    const writtenListeners: (() => void)[] = [];
    const writer = new OrderedWriter(runStart, virtual ? null : MERGING.includes(request.strategy) ? 'merge' : 'write',
      (rowStart, values) => virtual || writeRows(module, target, output, rowStart, values),
      (timing) => {
        timings.push(timing);
        for (const listener of writtenListeners) listener();
        hooks.onProgress?.(progress(runId, timing, timings, blocks.length, input.rows, runStart));
      },
      outputHash(input.rows * OUTPUT_BYTES[outputType]));
    writerOfRun = writer;
    // The input's stored chunks are read from the file itself: the run never rewrites them.
    const chunkLayout = request.strategy === 'pool' ? findChunkLayout(transaction.store, input.dataset, input.shape) : undefined;
    const contiguous = request.strategy === 'pool' && input.littleEndian ? findContiguousStorage(transaction.store, input.dataset, input.rows, rowBytes) : undefined;
    await RUNNERS[request.strategy]({
      storedChunks: chunkLayout && ((plan) => encodedBlock(transaction.store, chunkLayout, input, plan)),
      runId, input, task: { kernel: kernel.name }, blocks, workers, runStart, signal, writer, runPhases,
      readBlock: (plan) => contiguous
        ? readContiguousRows(transaction.store, contiguous, plan.rowStart, plan.rowEnd)
        : readRows(module, target, input.dataset, input.elementBytes, input.shape.slice(1), plan.rowStart, plan.rowEnd - plan.rowStart),
      withBlockInHeap: (plan, use) => withRowsInHeap(module, target, input.dataset, input.elementBytes, input.shape.slice(1), plan.rowStart, plan.rowEnd - plan.rowStart, use),
      onWritten: (listener) => writtenListeners.push(listener),
      scratchDir: () => transaction.scratchDir(),
      shardFolder,
      cluster: { scheduler: request.scheduler, python: request.python }, notes,
    });
    if (writer.written !== blocks.length) throw new Error(`only ${writer.written} of ${blocks.length} blocks were written`);
    signal.throwIfAborted();

    const commitStart = epochNow();
    const outputSha256 = await writer.digest();
    writeProvenance(outputDataset, {
      request, source: input.dataset, compute: kernel.name, computation: kernel.description, blockRows, workers: notes.workers ?? workers, appVersion: APP_VERSION,
      startedAt, finishedAt: new Date().toISOString(), outputSha256, scheduler: notes.schedulerDescription,
    });
    target.flush();
    target.close();
    h5file = undefined;
    if (virtual) finishVirtualOutput(transaction.store, file, output, input.rows, notes.shards ?? []);
    await transaction.commit();
    committed = true;
    const kept = new Set((notes.shards ?? []).map((shard) => shard.path));
    removeShards(file, previousShards.filter((shard) => !kept.has(shard)));
    if (shardFolder) pruneEmptyFolders(file, shardFolder);
    const end = epochNow();
    runPhases.push({ phase: 'commit', lane: 'main', start: rel(commitStart), end: rel(end) });
    const wallMs = rel(end);
    return {
      id: runId, file, dataset: input.dataset, output, compute: kernel.name, strategy: request.strategy, workers: notes.workers ?? workers, blockRows,
      rows: input.rows, columns: input.columns, inputDtype: input.kind, outputDtype: outputType, startedAt, wallMs,
      outputSha256, ...(notes.scheduler ? { scheduler: notes.scheduler } : {}), summary: summarise(timings, runPhases, wallMs, input.rows), runPhases, blocks: timings,
    };
  } catch (error) {
    throw asRunError(transaction.diskFailure() ?? error, file, signal);
  } finally {
    writerOfRun?.dispose();
    closeQuietly(h5file);
    transaction.rollback();
    // Nothing refers to a failed run's shards.
    if (!committed && notes.shards) removeShards(file, notes.shards.map((shard) => shard.path));
    if (!committed && virtual) pruneEmptyFolders(file, shardFolderOf(file, output));
  }
}

export function kernelOf(request: RunRequest): RowKernel {
  const kernel = rowKernel(request.compute ?? DEFAULT_KERNEL);
  if (!kernel) throw new H5BlocksError('invalid-argument', `unknown computation "${request.compute}"`, { file: request.file });
  return kernel;
}

function makeShardFolder(file: string, output: string): string {
  const folder = shardFolderOf(file, output);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const failure = fsError(error, folder, 'create the folder for the output\'s shards');
    throw new H5BlocksError(failure.code, `${basename(file)}: ${failure.message}`, { file, object: output });
  }
  return folder;
}

export function encodedBlock(file: ByteStore, layout: ChunkLayout, input: UsableInput, plan: BlockPlan): EncodedBlock {
  const chunks = chunksForRows(layout, plan.rowStart, plan.rowEnd);
  const { buffer, offsets } = readStoredChunks(file, chunks);
  return {
    buffer,
    chunks: chunks.map((c, i) => ({ offset: offsets[i], size: c.size, row: c.row, column: c.column, filterMask: c.filterMask })),
    filters: layout.filters,
    chunkShape: layout.chunkShape,
    rowStart: plan.rowStart,
    rows: plan.rowEnd - plan.rowStart,
    columns: input.columns,
    elementBytes: input.elementBytes,
    bigEndian: !input.littleEndian,
  };
}

export function unlinkForOverwrite(transaction: Transaction, output: string, displayName: string, existing: string): void {
  try {
    removeLink(transaction.store, transaction.file, output);
  } catch (error) {
    if (error instanceof H5BlocksError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new H5BlocksError('output-conflict', `${displayName}: cannot overwrite ${output} (${existing}): ${why}; choose another output name`, { file: displayName, object: output });
  }
}

export function progress(runId: string, block: BlockTiming, done: BlockTiming[], total: number, rowsTotal: number, runStart: number): RunProgress {
  const elapsedMs = epochNow() - runStart;
  const rowsDone = block.rowEnd;
  const rowsPerSecond = elapsedMs > 0 ? (rowsDone / elapsedMs) * 1000 : 0;
  return {
    runId, blocksDone: done.length, blocksTotal: total, rowsDone, rowsTotal, elapsedMs, rowsPerSecond,
    etaMs: rowsPerSecond > 0 ? ((rowsTotal - rowsDone) / rowsPerSecond) * 1000 : null,
    block,
  };
}

export function asRunError(error: unknown, file: string, signal: AbortSignal): H5BlocksError {
  if (error instanceof H5BlocksError) return error;
  if (signal.aborted) return new H5BlocksError('aborted', `${basename(file)}: run cancelled; the file is unchanged`, { file });
  const info = toErrorInfo(error);
  // A worker's error (see shardWorker) already names the file: name it once.
  const name = basename(file);
  const message = info.message.startsWith(`${name}: `) ? info.message : `${name}: ${info.message}`;
  return new H5BlocksError(info.code, message, { file, object: info.object, detail: info.detail });
}

export function checkRequest(request: RunRequest): void {
  const bad = (message: string) => new H5BlocksError('invalid-argument', message, { file: request.file });
  if (!STRATEGIES.includes(request.strategy)) throw bad(`unknown strategy "${request.strategy}"; choose one of ${STRATEGIES.join(', ')}`);
  if (!Number.isInteger(request.workers) || request.workers < 1 || request.workers > MAX_WORKERS) {
    throw bad(`workers must be a whole number from 1 to ${MAX_WORKERS}, not ${request.workers}`);
  }
  if (request.blockRows !== undefined && (!Number.isInteger(request.blockRows) || request.blockRows < 1)) {
    throw bad(`block rows must be a whole number of at least 1, not ${request.blockRows}`);
  }
  if (request.compute !== undefined && !rowKernel(request.compute)) {
    throw bad(`unknown computation "${request.compute}"; choose one of ${ROW_KERNELS.map((k) => k.name).join(', ')} (h5blocks kernels lists them)`);
  }
  if (request.scheduler !== undefined && request.strategy !== 'dask') throw bad(`a scheduler address is only used by the dask strategy, not ${request.strategy}`);
  if (request.scheduler !== undefined && !isSchedulerAddress(request.scheduler)) {
    throw bad(`"${request.scheduler}" is not a Dask scheduler address; write it as tcp://host:port`);
  }
}
