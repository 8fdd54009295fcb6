// Whole-dataset statistics as a map-reduce over the run's blocks: every
// strategy maps blocks to partial figures where it reads them (the stats
// kernel, src/workers/kernels/stats.ts, and its numpy twin on Dask); this
// process reduces them in block order and writes the figures as a small group
// beside the input, through the same transaction as any run.
import { basename, resolve } from 'node:path';
import { defaultBlockRows, planBlocks } from '@shared/blocks';
import { H5BlocksError } from '@shared/errors';
import { MAX_WORKERS, STRATEGIES, isSchedulerAddress, type BlockTiming, type PhaseSpan, type RunProgress } from '@shared/run';
import { DEFAULT_BINS, MAX_BINS, defaultStatsOutput, type GroupFigures, type StatsRequest, type StatsResult } from '@shared/stats';
import { GroupStatistics, binEdges, histogramRange, leafRowsFor, mergeBlock, type StatsTask } from '../../workers/kernels/stats';
import type { KernelTask } from '../../workers/kernels/compute';
import { findChunkLayout } from '../hdf5/chunkIndex';
import { findContiguousStorage, readContiguousRows } from '../hdf5/contiguousStorage';
import { normalizePath } from '../hdf5/entities';
import { checkReadableFile, closeQuietly } from '../hdf5/files';
import { loadH5, type H5File } from '../hdf5/h5wasm';
import { checkBlockBytes, readRows, withRowsInHeap } from '../hdf5/rows';
import { beginTransaction } from '../transaction/transaction';
import type { RunNotes } from '../strategies/context';
import { APP_VERSION } from '../version';
import { epochNow } from './clock';
import { RUNNERS, asRunError, encodedBlock, progress, unlinkForOverwrite } from './engine';
import { usableInput } from './inputDataset';
import { OrderedWriter } from './orderedWriter';
import { checkOutputPath, describeExisting, outputExists } from './output';
import { outputHash } from './outputHash';
import { isStatsGroup, writeStatsGroup } from './statsOutput';
import { summarise } from './summary';

export interface StatsHooks {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

export function checkStatsRequest(request: StatsRequest): void {
  const bad = (message: string) => new H5BlocksError('invalid-argument', message, { file: request.file });
  if (!STRATEGIES.includes(request.strategy)) throw bad(`unknown strategy "${request.strategy}"; choose one of ${STRATEGIES.join(', ')}`);
  if (request.strategy === 'vds') throw bad('statistics are a few figures, not per-row values a virtual dataset could map: choose inline, pool, shard or dask');
  if (!Number.isInteger(request.workers) || request.workers < 1 || request.workers > MAX_WORKERS) throw bad(`workers must be a whole number from 1 to ${MAX_WORKERS}, not ${request.workers}`);
  if (request.blockRows !== undefined && (!Number.isInteger(request.blockRows) || request.blockRows < 1)) throw bad(`block rows must be a whole number of at least 1, not ${request.blockRows}`);
  if (request.bins !== undefined && (!Number.isInteger(request.bins) || request.bins < 1 || request.bins > MAX_BINS)) throw bad(`bins must be a whole number from 1 to ${MAX_BINS}, not ${request.bins}`);
  if (request.range) {
    const [lo, hi] = request.range;
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw bad(`the histogram range must be two finite numbers, not ${lo} ${hi}`);
    if (!(lo < hi)) throw bad(`the histogram range must have LO < HI, not ${lo} ${hi}`);
  }
  if (request.scheduler !== undefined && request.strategy !== 'dask') throw bad(`a scheduler address is only used by the dask strategy, not ${request.strategy}`);
  if (request.scheduler !== undefined && !isSchedulerAddress(request.scheduler)) throw bad(`"${request.scheduler}" is not a Dask scheduler address; write it as tcp://host:port`);
}

export async function runStatistics(request: StatsRequest, hooks: StatsHooks = {}, runId: string): Promise<StatsResult> {
  checkStatsRequest(request);
  const file = resolve(request.file);
  const signal = hooks.signal ?? new AbortController().signal;
  const { module } = await loadH5();
  checkReadableFile(file);
  const dataset = normalizePath(request.dataset);
  const output = checkOutputPath(file, dataset, request.output ?? defaultStatsOutput(dataset));
  const displayName = basename(file);
  const runStart = epochNow();
  const startedAt = new Date(runStart).toISOString();
  const rel = (t: number) => t - runStart;
  const runPhases: PhaseSpan[] = [];
  const transaction = beginTransaction(file, runId);
  let h5file: H5File | undefined;
  const writers: OrderedWriter[] = [];
  try {
    h5file = await transaction.openH5();
    const input = usableInput(module, h5file, dataset, transaction.store);
    const perColumn = input.shape.length === 2;
    const workers = request.strategy === 'inline' ? 1 : request.workers;
    const rowBytes = input.columns * input.elementBytes;
    const leafRows = leafRowsFor(input.columns, input.chunkRows);
    // Whole leaves per block: the partials, so the figures, do not depend on the block size.
    const asked = request.blockRows ?? defaultBlockRows(input.rows, rowBytes, input.chunkRows, workers);
    const blockRows = Math.ceil(asked / leafRows) * leafRows;
    checkBlockBytes(blockRows * rowBytes, displayName, input.dataset);
    const existing = describeExisting(h5file, output);
    if (existing && !request.overwrite) throw outputExists(displayName, output, existing, file);
    if (existing && !isStatsGroup(h5file, output)) {
      throw new H5BlocksError('output-conflict', `${displayName}: ${output} is ${existing}, not a statistics group h5blocks wrote; overwrite only ever replaces one of those, choose another output name`, { file, object: output });
    }
    transaction.expectBytes(256 * 1024);
    if (existing) {
      h5file.close();
      h5file = undefined;
      unlinkForOverwrite(transaction, output, displayName, existing);
      h5file = await transaction.openH5();
    }
    const target = h5file;
    runPhases.push({ phase: 'log', lane: 'main', start: 0, end: rel(epochNow()) });

    const bins = request.bins ?? DEFAULT_BINS;
    const groupCount = perColumn ? input.columns : 1;
    const groups = Array.from({ length: groupCount }, () => new GroupStatistics());
    const blocks = planBlocks(input.rows, blockRows);
    const timings: BlockTiming[] = [];
    const notes: RunNotes = {};
    const chunkLayout = request.strategy === 'pool' ? findChunkLayout(transaction.store, input.dataset, input.shape, input.elementBytes) : undefined;
    const contiguous = request.strategy === 'pool' && input.littleEndian ? findContiguousStorage(transaction.store, input.dataset, input.rows, rowBytes) : undefined;
    const totalBlocks = () => blocks.length * passes;
    let passes = request.range ? 1 : 2;

    const pass = async (stats: StatsTask, first: number) => {
      const task: KernelTask = { kernel: 'stats', stats };
      const writtenListeners: (() => void)[] = [];
      const writer = new OrderedWriter(runStart, 'merge', (_rowStart, partial) => mergeBlock(partial as Float64Array, stats, groups), (timing) => {
        for (const listener of writtenListeners) listener();
        const shifted = { ...timing, index: timing.index + first };
        timings.push(shifted);
        hooks.onProgress?.({ ...progress(runId, shifted, timings, totalBlocks(), input.rows, runStart), rowsDone: Math.min(input.rows, timing.rowEnd), blocksTotal: totalBlocks() });
      }, outputHash(0));
      writers.push(writer);
      await RUNNERS[request.strategy]({
        storedChunks: chunkLayout && ((plan) => encodedBlock(transaction.store, chunkLayout, input, plan)),
        runId, input, task, blocks, workers, runStart, signal, writer, runPhases,
        readBlock: (plan) => contiguous
          ? readContiguousRows(transaction.store, contiguous, plan.rowStart, plan.rowEnd)
          : readRows(module, target, input.dataset, input.elementBytes, input.shape.slice(1), plan.rowStart, plan.rowEnd - plan.rowStart),
        withBlockInHeap: (plan, use) => withRowsInHeap(module, target, input.dataset, input.elementBytes, input.shape.slice(1), plan.rowStart, plan.rowEnd - plan.rowStart, use),
        onWritten: (listener) => writtenListeners.push(listener),
        scratchDir: () => transaction.scratchDir(),
        cluster: { scheduler: request.scheduler, python: request.python }, notes,
      });
      if (writer.written !== blocks.length) throw new Error(`only ${writer.written} of ${blocks.length} blocks were merged`);
      signal.throwIfAborted();
    };

    const given = request.range;
    await pass({ leafRows, perColumn, moments: true, ...(given ? { histogram: { bins, ranges: groups.map(() => given) } } : {}) }, 0);
    const ranges = groups.map((group) => given ?? histogramRange(group));
    if (!given) {
      // A range from the data needs the data's min and max first: a second pass counts.
      const usable = ranges.map((range) => (typeof range === 'string' ? [0, 1] as [number, number] : range));
      if (ranges.some((range) => typeof range !== 'string')) await pass({ leafRows, perColumn, moments: false, histogram: { bins, ranges: usable } }, blocks.length);
      else passes = 1;
    }

    const figures: GroupFigures[] = groups.map((group, g) => {
      const range = ranges[g];
      const base: GroupFigures = {
        ...(perColumn ? { column: g } : {}),
        count: group.count, nanCount: group.nanCount,
        min: group.count ? group.min : null, max: group.count ? group.max : null,
        mean: group.count ? group.mean : null, std: group.count ? group.std : null,
      };
      if (typeof range === 'string') return { ...base, noHistogram: range };
      return { ...base, histogram: { edges: Array.from(binEdges(range[0], range[1], bins)), counts: Array.from(group.histogram ?? new Float64Array(bins)) } };
    });
    const commitStart = epochNow();
    const result = {
      id: runId, file, dataset: input.dataset, output, strategy: request.strategy, workers: notes.workers ?? workers, blockRows, leafRows,
      shape: input.shape, inputDtype: input.kind, perColumn, bins, passes, groups: figures, startedAt,
    };
    writeStatsGroup(target, output, result, [
      ['h5blocks_strategy', request.strategy],
      ['h5blocks_workers', notes.workers ?? workers],
      ['h5blocks_block_rows', blockRows],
      ['h5blocks_leaf_rows', leafRows],
      ['h5blocks_version', APP_VERSION],
      ['h5blocks_started', startedAt],
      ['h5blocks_finished', new Date().toISOString()],
      ...(given ? [['h5blocks_range', `${given[0]} ${given[1]}`] as [string, string]] : []),
      ...(notes.schedulerDescription ? [['h5blocks_scheduler', notes.schedulerDescription] as [string, string]] : []),
    ], displayName);
    target.flush();
    target.close();
    h5file = undefined;
    await transaction.commit();
    const end = epochNow();
    runPhases.push({ phase: 'commit', lane: 'main', start: rel(commitStart), end: rel(end) });
    const wallMs = rel(end);
    return { ...result, wallMs, summary: summarise(timings, runPhases, wallMs, input.rows * passes), runPhases, blocks: timings };
  } catch (error) {
    throw asRunError(transaction.diskFailure() ?? error, file, signal);
  } finally {
    for (const writer of writers) writer.dispose();
    closeQuietly(h5file);
    transaction.rollback();
  }
}
