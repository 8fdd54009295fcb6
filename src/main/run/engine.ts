import { randomBytes } from 'node:crypto';
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { fsError } from '../fsErrors';
import { basename, resolve } from 'node:path';
import { H5BlocksError, toErrorInfo } from '@shared/errors';
import { MAX_WORKERS, NO_NON_FINITE, STRATEGIES, defaultOutputName, isSchedulerAddress, type BlockTiming, type PhaseSpan, type RunActivityReport, type RunProgress, type RunRequest, type RunResult, type Strategy } from '@shared/run';
import { OUTPUT_BYTES } from '../../workers/compute/rowNorm';
import { DEFAULT_KERNEL, ROW_KERNELS, rowKernel } from '../../workers/kernels/registry';
import type { RowKernel } from '../../workers/kernels/kernel';
import { EXPRESSION_KERNEL, expressionKernel } from '../../workers/kernels/expr';
import { checkReadableFile, closeQuietly, refuseSwmrWrittenFile } from '../hdf5/files';
import { normalizePath } from '../hdf5/entities';
import { loadH5, type H5Dataset, type H5File, type H5Startup } from '../hdf5/h5wasm';
import { workerPool } from '../strategies/workerPools';
import { removeLink } from '../hdf5/unlink';
import { chunksForRows, findChunkLayout, readStoredChunks, type ChunkLayout } from '../hdf5/chunkIndex';
import { findContiguousStorage, readContiguousRows } from '../hdf5/contiguousStorage';
import type { EncodedBlock } from '../../workers/compute/decodeChunks';
import type { ByteStore } from '../transaction/byteStore';
import type { BlockPlan } from '@shared/blocks';
import { checkBlockBytes, withRowsInHeap, writeRows } from '../hdf5/rows';
import type { RunNotes, StrategyRunner } from '../strategies/context';
import { runDask } from '../strategies/dask';
import { runInline } from '../strategies/inline';
import { runPool } from '../strategies/pool';
import { runShard } from '../strategies/shard';
import { runVds } from '../strategies/vds';
import { APP_VERSION } from '../version';
import { planBlocks } from '@shared/blocks';
import { chooseRun, INLINE_MAX_BYTES, machineCores } from './defaults';
import { epochNow } from './clock';
import { RunActivity } from './activity';
import { usableInput, type UsableInput } from './inputDataset';
import { OrderedWriter } from './orderedWriter';
import { BufferPool } from './bufferPool';
import { outputHash } from './outputHash';
import { beginTransaction, type Transaction } from '../transaction/transaction';
import { checkOutputPath, describeExisting, expectedOutputBytes, outputExists, prepareOutput, whyNotReusable, writeProvenance } from './output';
import { summarise } from './summary';
import { isOwnShard, pruneEmptyFolders, removeShards, shardFolderOf } from './shardFolder';
import { checkVirtualRows, createVirtualOutput, finishVirtualOutput, removeUnusedShards, sourcesOf } from './virtualOutput';
import type { FileLock } from '../transaction/fileLock';
import {
  acquireLiveLock, createLiveOutput, extendLiveOutput, LIVE_STRATEGIES, liveFormatCheck, openAsSwmrWriter, recoverLiveRun, removeLiveMarker,
  removeLiveOutput, writeLiveMarker,
} from './liveRun';

/** Output buffers that may be with the hashing thread at once before a block waits for one to come back. */
const HASHING_BUFFERS = 2;

export const RUNNERS: Record<Strategy, StrategyRunner> = { inline: runInline, pool: runPool, shard: runShard, dask: runDask, vds: runVds };
/** Strategies whose workers write shards that the main thread merges. */
const MERGING: readonly Strategy[] = ['shard', 'dask'];

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Between blocks, a few times a second: the clock and what each lane is doing now (activity.ts). */
  onActivity?: (activity: RunActivityReport) => void;
  /**
   * Epoch ms the user asked for the run (the CLI's process start, the app's
   * request): the run's clock starts there, and what came before its first
   * block (process, thread, h5wasm, workers) shows as `start` phases.
   */
  requestedAt?: number;
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
  const entered = epochNow();
  const runStart = Math.min(hooks.requestedAt ?? entered, entered);
  // Workers that need no HDF5 start now, while h5wasm is still loading: for
  // pool, and for a default run on a file too large to be sure it runs inline.
  if (request.strategy === 'pool' || ((request.strategy ?? 'auto') === 'auto' && mayNeedWorkers(file))) workerPool('blockWorker', request.workers ?? machineCores(), true);
  const { module, startup } = await loadH5();
  const runPhases: PhaseSpan[] = startPhases(runStart, entered, startup);
  checkReadableFile(file);
  const dataset = normalizePath(request.dataset);
  // A live run of ours that was killed leaves status flags a SWMR writer would: finish it first.
  await recoverLiveRun(file);
  refuseSwmrWrittenFile(file, dataset);
  const output = checkOutputPath(file, dataset, request.output ?? defaultOutputName(dataset, kernel.name));
  const live = request.live === true;
  const requestedStrategy = request.strategy ?? 'auto';
  if (live && requestedStrategy !== 'auto' && !(LIVE_STRATEGIES as readonly string[]).includes(requestedStrategy)) {
    throw new H5BlocksError('invalid-argument', `${basename(file)}: a live run writes its blocks itself in row order; use --strategy ${LIVE_STRATEGIES.join(' or ')} with --live, not ${requestedStrategy}`, { file });
  }
  const upgrade = live ? liveFormatCheck(file, request.upgradeFormat === true) : undefined;
  const startedAt = new Date(runStart).toISOString();
  const rel = (t: number) => t - runStart;
  const logStart = epochNow();
  // A live run holds the file's lock from its first transaction to its last, across the SWMR phase between them.
  const heldLock: FileLock | undefined = live ? acquireLiveLock(file, runId) : undefined;
  let transaction: Transaction;
  try {
    transaction = beginTransaction(file, runId, { heldLock });
  } catch (error) {
    heldLock?.release();
    throw error;
  }
  let h5file: H5File | undefined;
  const virtual = request.strategy === 'vds';
  const notes: RunNotes = {};
  let committed = false;
  let writerOfRun: OrderedWriter | undefined;
  let buffersOfRun: { inputs: BufferPool; outputs: BufferPool } | undefined;
  /** Live: the run's SWMR handle, and whether the empty output was committed (then a failure must remove it). */
  let liveFile: H5File | undefined;
  let liveOutputCommitted = false;
  let liveDone = false;
  // What each lane does now, sent a few times a second between blocks so a timeline draws it while it lasts.
  const activity = new RunActivity(runStart);
  const heartbeat = hooks.onActivity && setInterval(() => hooks.onActivity!({ runId, elapsedMs: epochNow() - runStart, active: activity.now(), runPhases: [...runPhases] }), ACTIVITY_TICK_MS);
  try {
    activity.begin('main', 'log', logStart);
    if (upgrade) transaction.store.writeAt(upgrade.at, upgrade.bytes);
    h5file = await transaction.openH5(live ? 'v110' : undefined);
    const input = usableInput(module, h5file, dataset, transaction.store, kernel);
    if (virtual) checkVirtualRows(basename(file), file, input.dataset, input.rows);
    // Under the file's lock, before this run writes any: shards a crashed run left.
    removeUnusedShards(file, transaction.store, h5file);
    const rowBytes = input.columns * input.elementBytes;
    // A live run left to choose writes its blocks itself: pool (or inline, for a small dataset).
    const chosen = chooseRun(live && requestedStrategy === 'auto' ? { ...request, strategy: 'pool' } : request, {
      rows: input.rows, rowBytes, chunkRows: input.chunkRows, filtered: input.filtered, cores: machineCores(),
      // Only asked when it decides between pool and shard.
      directChunks: input.filtered && requestedStrategy === 'auto' && findChunkLayout(transaction.store, input.dataset, input.shape, input.elementBytes) !== undefined,
    });
    const { strategy, workers } = chosen;
    // A block larger than the dataset is the whole dataset: one block, never a bigger allocation.
    const blockRows = Math.min(chosen.blockRows, Math.max(1, input.rows));
    // Workers start while the output is prepared.
    if (strategy === 'pool') workerPool('blockWorker', workers, true);
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
    if (existing && (virtual || live || whyNotReusable(h5file, output, input.rows, outputType) !== undefined)) {
      // An output of another shape or type cannot be rewritten in place and
      // h5wasm cannot delete links: remove the link from the group on disk
      // (through the transaction, like HDF5's own writes), with h5wasm closed.
      h5file.close();
      h5file = undefined;
      unlinkForOverwrite(transaction, output, basename(file), existing);
      h5file = await transaction.openH5(live ? 'v110' : undefined);
    }
    let target = h5file;
    let outputDataset = virtual
      ? createVirtualOutput(target, output, outputType, basename(file))
      : live ? undefined : prepareOutput(target, output, input.rows, outputType, request.overwrite === true, basename(file));
    if (live) {
      createLiveOutput(target, output, input.rows, outputType, basename(file));
      // Before the commit: a run killed from here on is finished by the next command (liveRun.ts).
      writeLiveMarker(transaction.file, { runId, output, state: 'live' });
      target.flush();
      target.close();
      h5file = undefined;
      await transaction.commit();
      liveOutputCommitted = true;
      liveFile = await openAsSwmrWriter(file);
      target = liveFile;
    }
    const shardFolder = virtual ? makeShardFolder(file, output) : undefined;
    runPhases.push({ phase: 'log', lane: 'main', start: rel(logStart), end: rel(epochNow()) });
    activity.end('main');

    const blocks = planBlocks(input.rows, blockRows);
    const timings: BlockTiming[] = [];
    const writtenListeners: (() => void)[] = [];
    const writer = new OrderedWriter(runStart, virtual ? null : MERGING.includes(strategy) ? 'merge' : 'write',
      (rowStart, values) => {
        if (virtual) return;
        if (live) extendLiveOutput(target, output, rowStart + values.length);
        writeRows(module, target, output, rowStart, values);
      },
      (timing) => {
        timings.push(timing);
        for (const listener of writtenListeners) listener();
        hooks.onProgress?.({ ...progress(runId, timing, timings, blocks.length, input.rows, runStart), active: activity.now(), runPhases: [...runPhases] });
      },
      outputHash(input.rows * OUTPUT_BYTES[outputType]),
      live ? () => target.flush() : undefined);
    writerOfRun = writer;
    // The input's stored chunks are read from the file itself: the run never rewrites them.
    // (A live run's transaction has ended: it reads through its SWMR handle.)
    const chunkLayout = strategy === 'pool' && !live ? findChunkLayout(transaction.store, input.dataset, input.shape, input.elementBytes) : undefined;
    const contiguous = strategy === 'pool' && !live && input.littleEndian ? findContiguousStorage(transaction.store, input.dataset, input.rows, rowBytes) : undefined;
    const outputBytes = OUTPUT_BYTES[outputType];
    const largestRows = Math.min(blockRows, input.rows);
    // Blocks in flight (two per worker, one inline) each hold an input and an output; outputs also wait to be hashed.
    const inFlight = strategy === 'inline' ? 1 : 2 * workers;
    const buffers = { inputs: new BufferPool(largestRows * rowBytes, inFlight), outputs: new BufferPool(largestRows * outputBytes, inFlight + HASHING_BUFFERS) };
    buffersOfRun = buffers;
    await RUNNERS[strategy]({
      buffers,
      storedChunks: chunkLayout && ((plan, into) => encodedBlock(transaction.store, chunkLayout, input, plan, into)),
      runId, input, task: request.expr !== undefined ? { kernel: EXPRESSION_KERNEL, expression: request.expr, shape: [...input.shape] } : { kernel: kernel.name }, blocks, workers, runStart, signal, writer, runPhases,
      // Only a caller that listens is told (the CLI and the bench pay nothing for it).
      activity: hooks.onActivity || hooks.onProgress ? activity : undefined,
      readBlock: (plan, into) => contiguous
        ? readContiguousRows(transaction.store, contiguous, plan.rowStart, plan.rowEnd, into)
        : withRowsInHeap(module, target, input.dataset, input.elementBytes, input.shape.slice(1), plan.rowStart, plan.rowEnd - plan.rowStart, (heap, byteOffset, bytes) => {
          // HDF5 reads into its own heap: the bytes come out once, into the run's buffer.
          const out = into && into.byteLength >= bytes ? into : new ArrayBuffer(bytes);
          new Uint8Array(out, 0, bytes).set(new Uint8Array(heap, byteOffset, bytes));
          return out;
        }),
      withBlockInHeap: (plan, use) => withRowsInHeap(module, target, input.dataset, input.elementBytes, input.shape.slice(1), plan.rowStart, plan.rowEnd - plan.rowStart, use),
      onWritten: (listener) => writtenListeners.push(listener),
      scratchDir: () => transaction.scratchDir(),
      shardFolder,
      cluster: { scheduler: request.scheduler, python: request.python }, notes,
    });
    if (writer.written !== blocks.length) throw new Error(`only ${writer.written} of ${blocks.length} blocks were written`);
    signal.throwIfAborted();

    const commitStart = epochNow();
    activity.begin('main', 'commit', commitStart);
    const outputSha256 = await writer.digest();
    if (live) {
      // Closing as the SWMR writer clears the file's status flags; the provenance goes in a transaction of its own.
      liveFile!.close();
      liveFile = undefined;
      transaction = beginTransaction(file, runId, { heldLock });
      h5file = await transaction.openH5('v110');
      target = h5file;
      outputDataset = h5file.get(output) as H5Dataset;
    }
    writeProvenance(outputDataset!, {
      request: { ...request, strategy, workers }, source: input.dataset, compute: kernel.name, computation: kernel.description, blockRows, workers: notes.workers ?? workers, appVersion: APP_VERSION,
      startedAt, finishedAt: new Date().toISOString(), outputSha256, scheduler: notes.schedulerDescription,
    });
    target.flush();
    target.close();
    h5file = undefined;
    if (virtual) finishVirtualOutput(transaction.store, file, output, input.rows, notes.shards ?? []);
    await transaction.commit();
    committed = true;
    if (live) {
      writeLiveMarker(transaction.file, { runId, output, state: 'complete' });
      removeLiveMarker(transaction.file);
      liveDone = true;
    }
    const kept = new Set((notes.shards ?? []).map((shard) => shard.path));
    removeShards(file, previousShards.filter((shard) => !kept.has(shard)));
    if (shardFolder) pruneEmptyFolders(file, shardFolder);
    const end = epochNow();
    runPhases.push({ phase: 'commit', lane: 'main', start: rel(commitStart), end: rel(end) });
    const wallMs = rel(end);
    return {
      id: runId, file, dataset: input.dataset, output, compute: kernel.name,
      ...(request.expr !== undefined ? { expression: request.expr, nonFinite: writer.nonFinite ?? { ...NO_NON_FINITE } } : {}),
      strategy, workers: notes.workers ?? workers, blockRows, ...(chosen.why ? { chosen: chosen.why } : {}),
      blockBuffers: { allocated: buffers.inputs.allocated + buffers.outputs.allocated, bytes: buffers.inputs.allocatedBytes + buffers.outputs.allocatedBytes },
      rows: input.rows, columns: input.columns, inputShape: [...input.shape], inputDtype: input.kind, outputDtype: outputType, startedAt, wallMs,
      outputSha256, ...(notes.scheduler ? { scheduler: notes.scheduler } : {}), ...(live ? { live: true } : {}), summary: summarise(timings, runPhases, wallMs, input.rows), runPhases, blocks: timings,
    };
  } catch (error) {
    throw asRunError(transaction.diskFailure() ?? error, file, signal);
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    activity.close();
    writerOfRun?.dispose();
    // Buffers back (a digest answered after every hashed buffer came back) are the next run's on this thread.
    buffersOfRun?.inputs.retire();
    buffersOfRun?.outputs.retire();
    closeQuietly(h5file);
    closeQuietly(liveFile);
    transaction.rollback();
    if (live && !liveDone) await abandonLiveOutput(file, output, runId, heldLock!, liveOutputCommitted);
    heldLock?.release();
    // Nothing refers to a failed run's shards.
    if (!committed && notes.shards) removeShards(file, notes.shards.map((shard) => shard.path));
    if (!committed && virtual) pruneEmptyFolders(file, shardFolderOf(file, output));
  }
}

/**
 * A live run that failed or was cancelled: its committed, unfinished output is
 * removed and its marker with it. If that fails too, the marker stays and the
 * next h5blocks command on the file finishes the job.
 */
async function abandonLiveOutput(file: string, output: string, runId: string, heldLock: FileLock, outputCommitted: boolean): Promise<void> {
  try {
    if (outputCommitted) await removeLiveOutput(file, output, runId, heldLock);
    removeLiveMarker(resolveReal(file));
  } catch {
    // Left to recovery (the marker says what to do).
  }
}

function resolveReal(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** A file smaller than the inline limit holds no dataset a default run gives to workers. */
function mayNeedWorkers(file: string): boolean {
  try {
    return statSync(file).size >= INLINE_MAX_BYTES;
  } catch {
    return false;
  }
}

/**
 * What happened before the run's thread could work: from the request to this
 * thread's h5wasm import (the process and the thread starting), the import
 * (parsing the glue, decoding the wasm), compiling the wasm (none when another
 * thread of the process had compiled it), instantiating it and initialising HDF5.
 * A thread that had h5wasm loaded before the request shows none of it.
 */
function startPhases(runStart: number, entered: number, startup: H5Startup): PhaseSpan[] {
  const spans: PhaseSpan[] = [];
  const add = (step: string, from: number, to: number) => {
    const start = Math.max(from, runStart);
    if (to > start) spans.push({ phase: 'start', step, lane: 'main', start: start - runStart, end: to - runStart });
  };
  add('process', runStart, startup.importStart > runStart ? startup.importStart : entered);
  add('h5wasm', startup.importStart, startup.compileStart);
  add(startup.shared ? 'compiled module' : 'compile', startup.compileStart, startup.compileEnd);
  add('hdf5 init', startup.compileEnd, startup.ready);
  return spans;
}

export function kernelOf(request: RunRequest): RowKernel {
  // The expression's rows are checked against the dataset when it is open (refuses()); the workers compile it.
  if (request.expr !== undefined) return expressionKernel(request.expr, []);
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

/** A block of a directly read chunked input: its stored chunks, for a worker to decode (exported for the tests that compare every reader with h5py). */
export function encodedBlock(file: ByteStore, layout: ChunkLayout, input: UsableInput, plan: BlockPlan, into?: ArrayBuffer): EncodedBlock {
  const chunks = chunksForRows(layout, plan.rowStart, plan.rowEnd);
  const { buffer, offsets } = readStoredChunks(file, chunks, into);
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

/** How often a running run says what its lanes are doing when no block has finished. */
const ACTIVITY_TICK_MS = 250;

export function asRunError(error: unknown, file: string, signal: AbortSignal): H5BlocksError {
  if (error instanceof H5BlocksError) return error;
  if (signal.aborted) return new H5BlocksError('aborted', `${basename(file)}: run cancelled; the file is unchanged`, { file });
  const info = toErrorInfo(error);
  // A worker's error (see shardWorker) already names the file: name it once.
  const name = basename(file);
  const message = info.message.startsWith(`${name}: `) ? info.message : `${name}: ${info.message}`;
  return new H5BlocksError(info.code, message, { file, object: info.object, detail: info.detail });
}

/** C0 and C1 control characters and DEL: they would cut or garble the lines that name an output. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export function checkRequest(request: RunRequest): void {
  const bad = (message: string) => new H5BlocksError('invalid-argument', message, { file: request.file });
  if (request.strategy !== undefined && request.strategy !== 'auto' && !STRATEGIES.includes(request.strategy)) {
    throw bad(`unknown strategy "${request.strategy}"; choose one of auto, ${STRATEGIES.join(', ')}`);
  }
  if (request.workers !== undefined && (!Number.isInteger(request.workers) || request.workers < 1 || request.workers > MAX_WORKERS)) {
    throw bad(`workers must be a whole number from 1 to ${MAX_WORKERS}, not ${request.workers}`);
  }
  if (request.blockRows !== undefined && (!Number.isInteger(request.blockRows) || request.blockRows < 1)) {
    throw bad(`block rows must be a whole number of at least 1, not ${request.blockRows}`);
  }
  if (typeof request.dataset !== 'string' || request.dataset.trim() === '') {
    throw bad(`${basename(request.file)}: the dataset path is empty; name the dataset to read, e.g. /coords`);
  }
  if (request.output !== undefined) {
    if (request.output.trim() === '') throw bad(`${basename(request.file)}: the output name ${JSON.stringify(request.output)} is empty or blank; name the output dataset, e.g. /distances, or leave the option out`);
    const control = CONTROL_CHARACTER.exec(request.output);
    if (control) throw bad(`${basename(request.file)}: the output name ${JSON.stringify(request.output)} holds a control character (${JSON.stringify(control[0]).slice(1, -1)}); output names are refused with control characters`);
  }
  if (request.upgradeFormat && !request.live) throw bad('upgrading the file\'s format (--upgrade-format) is only done for a live run (--live)');
  if (request.expr !== undefined) {
    if (request.compute !== undefined && request.compute !== DEFAULT_KERNEL) throw bad('--expr and --compute each name the computation; give one of them');
  }
  if (request.compute !== undefined && !rowKernel(request.compute)) {
    throw bad(`unknown computation "${request.compute}"; choose one of ${ROW_KERNELS.map((k) => k.name).join(', ')} (h5blocks kernels lists them)`);
  }
  if (request.scheduler !== undefined && request.strategy !== 'dask') throw bad(`a scheduler address is only used by the dask strategy, not ${request.strategy}`);
  if (request.scheduler !== undefined && !isSchedulerAddress(request.scheduler)) {
    throw bad(`"${request.scheduler}" is not a Dask scheduler address; write it as tcp://host:port`);
  }
}
