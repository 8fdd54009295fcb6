import { cpus } from 'node:os';
import { H5BlocksError } from '@shared/errors';
import { configurations, timeH5blocks, warmUp } from '../bench/h5blocksRuns';
import { compressedInput, contiguousInput, type InputBuilder } from '../bench/inputs';
import { measureStall, type StallRow } from '../bench/eventLoopStall';
import { measureFileSize, type FileSizeCase } from '../bench/fileSize';
import { measureLiveCost, type LiveCostCase } from '../bench/liveCost';
import { measurePeakRss } from '../bench/peakMemory';
import { measureKernelCases, type KernelCaseRow } from '../bench/kernelCases';
import { measureExprCase, type ExprCase } from '../bench/exprCase';
import { findPythonWithH5py, PYTHON_ENV, type PythonWithH5py } from '../bench/python';
import { timeH5pySerial, timeMultiprocessing } from '../bench/pythonBaselines';
import { formatReport, type BenchReport } from '../bench/report';
import { agreementOf, describeConfiguration, verdictsOf, withRatios, type BenchInput, type BenchRow, type MemoryRow } from '../bench/results';
import { ScratchFolder } from '../bench/scratchFolder';
import { DEFAULT_CASES, type BenchCase } from '../bench/cases';
import { BigInput } from '../bench/bigInput';
import { canDropCaches, daskAvailable, measureUsers, measureWarm, type UsersCase, type UsersOptions } from '../bench/wholeProcess';
import { defaultBlockRows } from '@shared/blocks';
import { APP_VERSION } from '../version';

export interface BenchOptions {
  rows: number;
  baselineRows: number;
  /** Rows of the chunked input for the peak-memory runs; off when undefined (it takes long). */
  memoryRows?: number;
  /** Times each configuration this often and keeps the fastest (default 1): steadier numbers on a busy machine. */
  repeat?: number;
  json?: boolean;
  /** Frames of the stack-sum case's input (default 2,000 of 512 × 512). */
  stackFrames?: number;
  /** The cases to run (default: all of them but big, stack-sum, stats and expr); see BENCH_CASES. */
  only?: BenchCase[];
  /** users and big: rounds of alternating whole-process runs (at least 5 for medians worth reading). */
  pairs?: number;
  /** big: rows of the larger-than-memory input. */
  bigRows?: number;
  /** big: drop the page cache before each run (root only). */
  dropCaches?: boolean;
  signal: AbortSignal;
}

/** Rounds of whole-process runs by default: medians over at least 5 pairs. */
const USERS_PAIRS = 5;
/** The small input of the users case: where start-up is all there is. */
const SMALL_ROWS = 1000;
/** The big case's default: 3 × 10⁹ × 2 float32, 24 GB, more than most machines' memory. */
const BIG_ROWS = 3_000_000_000;

/** 4 on a 2-core machine shows what oversubscription costs. */
const WORKER_COUNTS = [1, 2, 4];
/** undefined: the engine's default for the input. */
const BLOCK_SIZES = [undefined, 256 * 1024, 2 * 1024 * 1024];
/** The input is N×2 float32. */
const ROW_BYTES = 8;

/**
 * `h5blocks bench`: times every strategy at several worker counts and block
 * sizes on generated inputs, against h5py + numpy and the seed's
 * multiprocessing recipes, and prints one table (or one JSON object).
 * Progress goes to stderr so stdout holds only the result.
 */
export async function runBench(options: BenchOptions): Promise<void> {
  const scratch = new ScratchFolder();
  try {
    const report = await measure(options, scratch);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  } catch (error) {
    if (options.signal.aborted) throw new H5BlocksError('aborted', 'bench cancelled; its temporary files were removed');
    throw error;
  } finally {
    scratch.remove();
  }
}

/** Times one configuration (repeatedly, with --repeat) and keeps its fastest run for the table. */
type RecordFastest = (timeOnce: () => Promise<BenchRow>) => Promise<void>;

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

async function measure(options: BenchOptions, scratch: ScratchFolder): Promise<BenchReport> {
  const { signal } = options;
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const python = await findPythonWithH5py();
  if (python) log(`h5py ${python.h5pyVersion}, numpy ${python.numpyVersion} via ${python.executable}`);
  else {
    const tried = process.env[PYTHON_ENV]?.trim() || '/usr/bin/python3, python3';
    notes.push(`no Python with h5py and numpy (tried ${tried}; set ${PYTHON_ENV} to choose one): the chunked input is gzip only, written by h5wasm (it sets one filter), and the h5py baselines were skipped.`);
    log(notes.at(-1) ?? '');
  }
  log(`temporary files in ${scratch.path}`);

  const cases = new Set<BenchCase>(options.only ?? DEFAULT_CASES);
  const builder: InputBuilder = { scratch, python, signal, log };
  const { mainInputs, recipeInputs, stallInput, usersInputs: judgedForUsers } = await buildInputs(builder, options, cases);
  const inputs = [...mainInputs, ...recipeInputs.filter((input) => !mainInputs.includes(input))];

  const repeat = options.repeat ?? 1;
  const rows: BenchRow[] = [];
  // Every timed run, not only the fastest of each configuration, must agree on the output.
  const everyRun: BenchRow[] = [];
  const record: RecordFastest = async (timeOnce) => {
    let fastest: BenchRow | undefined;
    for (let run = 1; run <= repeat; run++) {
      const row = await timeOnce();
      everyRun.push(row);
      log(`${row.inputLabel} | ${describeConfiguration(row)}: ${row.wallSeconds.toFixed(3)} s, ${(row.rowsPerSecond / 1e6).toFixed(2)} M rows/s${repeat > 1 ? ` (run ${run} of ${repeat})` : ''}`);
      if (!fastest || row.wallSeconds < fastest.wallSeconds) fastest = row;
    }
    if (fastest) rows.push({ ...fastest, runs: repeat });
  };

  if (python) await timePythonBaselines(python, mainInputs, recipeInputs, scratch, signal, record);

  for (const configuration of inputs.length > 0 ? configurations(WORKER_COUNTS, BLOCK_SIZES) : []) {
    await warmUp(configuration, scratch, signal);
    for (const input of mainInputs) await record(() => timeH5blocks(input, configuration, scratch, signal));
    // On the recipes' inputs, the engine's defaults only: enough to set it beside the recipes.
    if (configuration.blockRows === undefined) {
      for (const input of recipeInputs.filter((i) => !mainInputs.includes(i))) await record(() => timeH5blocks(input, configuration, scratch, signal));
    }
  }

  const rated = withRatios(rows);
  const agreement = agreementOf(everyRun, inputs);
  for (const a of agreement.filter((x) => !x.agreed)) {
    const warning = `outputs on ${a.input} disagree: ${a.digests.length} different SHA-256 digests among ${a.digests.reduce((n, d) => n + d.configurations.length, 0)} configurations`;
    log(`WARNING: ${warning}`);
    notes.push(warning);
  }

  const pairs = options.pairs ?? USERS_PAIRS;
  if ((cases.has('users') || cases.has('big')) && pairs < USERS_PAIRS) notes.push(`${pairs} round(s) of whole-process runs: fewer than ${USERS_PAIRS}, so medians and spreads say little.`);
  const hasDask = await daskAvailable(python);
  if (cases.has('users') && python && !hasDask) notes.push('dask.array was not timed: the Python with h5py has no dask (Debian: python3-dask).');
  const usersOptions: UsersOptions = { pairs, python, hasDask, scratch, signal, log };
  let users: UsersCase | null = null;
  if (cases.has('users')) {
    const small = await contiguousInput(builder, { id: 'small', rows: SMALL_ROWS, judged: false });
    const usersInputs = [...judgedForUsers, small];
    users = await measureUsers(usersInputs, usersOptions);
    users.warm = await measureWarm(usersInputs, users.rows, usersOptions);
    for (const a of users.agreement.filter((x) => !x.agreed)) notes.push(`whole-process outputs on ${a.input} disagree: ${a.digests.join(', ')}`);
  }
  const big = cases.has('big') ? await measureBig(options, builder, usersOptions, notes) : null;

  const memory = options.memoryRows === undefined ? [] : await measureMemory(builder, options.memoryRows);
  let fileSize: FileSizeCase | null = null;
  if (cases.has('file-size')) {
    const measured = await measureFileSize(builder, Math.max(3, repeat));
    if (measured.skipped) {
      notes.push(measured.skipped);
      log(measured.skipped);
    }
    fileSize = measured.result ?? null;
  }
  let live: LiveCostCase | null = null;
  if (cases.has('live')) {
    live = await measureLiveCost(builder, options.rows, Math.max(3, repeat));
    if (!live.outputsAgree) notes.push('the live and normal runs of the live case wrote different outputs');
  }
  const stalls: StallRow[] = [];
  for (const strategy of stallInput ? ['inline', 'pool'] as const : []) {
    const stall = await measureStall(stallInput!, strategy, 2, scratch, signal);
    log(`main event loop during ${strategy} on ${stall.inputLabel}: longest stall ${stall.maxStallMs.toFixed(1)} ms`);
    stalls.push(stall);
  }

  const wantsKernels = { stackSum: cases.has('stack-sum'), stats: cases.has('stats') };
  let kernelCases: KernelCaseRow[] = [];
  if (wantsKernels.stackSum || wantsKernels.stats) {
    if (python) kernelCases = await measureKernelCases(builder, python, wantsKernels, options.rows, options.stackFrames, pairs);
    else notes.push('the stack-sum and stats cases need a Python with h5py and numpy (their inputs and baselines); skipped.');
  }

  let exprCase: ExprCase | null = null;
  if (cases.has('expr')) {
    if (python) exprCase = await measureExprCase(builder, python, options.rows, Math.max(3, pairs));
    else notes.push('the expr case needs a Python with h5py and numpy (its baseline); skipped.');
  }

  return {
    version: APP_VERSION,
    startedAt,
    environment: {
      cpus: cpus().length, node: process.version,
      python: python ? { executable: python.executable, h5py: python.h5pyVersion, numpy: python.numpyVersion } : null,
    },
    options: {
      rows: options.rows, baselineRows: options.baselineRows, memoryRows: options.memoryRows ?? null, repeat,
      workerCounts: WORKER_COUNTS, blockRows: BLOCK_SIZES.map((b) => b ?? 'default'), cases: [...cases],
    },
    inputs: inputs.map(({ path: _path, ...input }) => input),
    rows: rated,
    agreement,
    verdicts: verdictsOf(rated, mainInputs),
    memory,
    fileSize,
    live,
    stalls,
    users,
    big,
    kernelCases,
    exprCase,
    notes,
  };
}

/** The larger-than-memory input against the h5py script, each run writing into it and the file put back after. */
async function measureBig(options: BenchOptions, builder: InputBuilder, usersOptions: UsersOptions, notes: string[]): Promise<UsersCase | null> {
  const made = await BigInput.make(options.bigRows ?? BIG_ROWS, builder.scratch, builder.python, builder.signal, log);
  if (typeof made === 'string') {
    notes.push(made);
    log(made);
    return null;
  }
  const dropCaches = options.dropCaches === true && canDropCaches();
  if (options.dropCaches && !dropCaches) notes.push('big: the page cache could not be dropped (not root); runs read what the cache still holds.');
  try {
    return await measureUsers([made.input], { ...usersOptions, inPlace: made, dropCaches, only: ['h5blocks', 'h5py-script'] });
  } finally {
    builder.scratch.discard('big.h5');
  }
}

/**
 * The judged inputs (contiguous, and chunked with shuffle+gzip) at --rows, and
 * the same two at --baseline-rows for the multiprocessing recipes, which are
 * too slow for the full size; none of those without h5py. Only what the chosen
 * cases need is written (the chunked input is made from the contiguous one).
 */
async function buildInputs(
  builder: InputBuilder, options: BenchOptions, cases: Set<BenchCase>,
): Promise<{ mainInputs: BenchInput[]; recipeInputs: BenchInput[]; stallInput?: BenchInput; usersInputs: BenchInput[] }> {
  const needsContiguous = cases.has('users') || cases.has('contiguous') || cases.has('chunked') || cases.has('stall') || (cases.has('recipes') && options.baselineRows === options.rows);
  if (!needsContiguous && !cases.has('recipes')) return { mainInputs: [], recipeInputs: [], usersInputs: [] };
  const contiguous = needsContiguous ? await contiguousInput(builder, { id: 'contiguous', rows: options.rows, judged: true }) : undefined;
  const chunked = contiguous && (cases.has('users') || cases.has('chunked') || (cases.has('recipes') && options.baselineRows === options.rows))
    ? await compressedInput(builder, { id: 'chunked', rows: options.rows, judged: true }, contiguous)
    : undefined;
  const mainInputs = [cases.has('contiguous') ? contiguous : undefined, cases.has('chunked') ? chunked : undefined].filter((i): i is BenchInput => i !== undefined);
  // The whole-process comparison uses both judged inputs, whatever else runs.
  const usersInputs = cases.has('users') ? [contiguous, chunked].filter((i): i is BenchInput => i !== undefined) : [];
  const stallInput = cases.has('stall') ? contiguous : undefined;
  if (!builder.python || !cases.has('recipes')) return { mainInputs, recipeInputs: [], stallInput, usersInputs };
  if (options.baselineRows === options.rows && contiguous && chunked) return { mainInputs, recipeInputs: [contiguous, chunked], stallInput, usersInputs };
  const small = await contiguousInput(builder, { id: 'recipes-contiguous', rows: options.baselineRows, judged: false });
  const smallChunked = await compressedInput(builder, { id: 'recipes-chunked', rows: options.baselineRows, judged: false }, small);
  return { mainInputs, recipeInputs: [small, smallChunked], stallInput, usersInputs };
}

/**
 * h5py serial (whole dataset, and in blocks sized by h5blocks' own default
 * rule for one worker) on every input; the multiprocessing recipes on the
 * recipes' inputs, with the block plan h5blocks would choose for the same
 * worker count, so the comparison is like for like.
 */
async function timePythonBaselines(
  python: PythonWithH5py, mainInputs: BenchInput[], recipeInputs: BenchInput[], scratch: ScratchFolder, signal: AbortSignal, record: RecordFastest,
): Promise<void> {
  const serialInputs = [...mainInputs, ...recipeInputs.filter((i) => !mainInputs.includes(i))];
  for (const input of serialInputs) {
    await record(() => timeH5pySerial(python, input, undefined, scratch, signal));
    await record(() => timeH5pySerial(python, input, defaultBlockRows(input.rows, ROW_BYTES, input.chunkRows, 1), scratch, signal));
  }
  for (const input of recipeInputs) {
    for (const recipe of ['pool', 'shard'] as const) {
      for (const workers of WORKER_COUNTS) {
        await record(() => timeMultiprocessing(python, recipe, input, workers, defaultBlockRows(input.rows, ROW_BYTES, input.chunkRows, workers), scratch, signal));
      }
    }
  }
}

/** Pool and shard at the most workers benchmarked (the most memory in flight), each in its own `h5blocks run` process. */
async function measureMemory(builder: InputBuilder, memoryRows: number): Promise<MemoryRow[]> {
  const input = await compressedInput(builder, { id: 'memory', rows: memoryRows, judged: false });
  const workers = Math.max(...WORKER_COUNTS);
  const results: MemoryRow[] = [];
  try {
    for (const strategy of ['pool', 'shard'] as const) {
      log(`peak memory: ${strategy}, ${workers} workers on ${input.label}`);
      const row = await measurePeakRss(input, strategy, workers, builder.scratch, builder.signal);
      log(`peak memory: ${strategy}: ${row.peakRssMb === null ? 'not measurable' : `${row.peakRssMb.toFixed(0)} MB`} in ${row.wallSeconds.toFixed(1)} s`);
      results.push(row);
    }
  } finally {
    builder.scratch.discard('memory.h5');
  }
  return results;
}
