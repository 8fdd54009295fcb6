// What a run is asked to do and what it reports: the vocabulary shared by the
// engine, the CLI, the server and the renderer.

export const STRATEGIES = ['inline', 'pool', 'shard', 'dask', 'vds'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const MAX_WORKERS = 64;

/** A run's output unless the user names one: the seed's `distances` for the norm, else `<input>_<kernel>` beside the input. */
export function defaultOutputName(dataset: string, compute: string | undefined): string {
  if (compute === undefined || compute === 'norm') return 'distances';
  const name = dataset.split('/').filter(Boolean).pop() ?? 'data';
  return `${name}_${compute.replace(/-/g, '_')}`;
}

/** tcp://host:port (any protocol Dask speaks), or host:port, which Dask reads as tcp. */
export function isSchedulerAddress(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^\s/]+$|^[^\s:/]+:\d+$/i.test(text);
}

/** A strategy, or `auto`: chosen from the dataset's size and layout and the machine (src/main/run/defaults.ts). */
export type StrategyChoice = Strategy | 'auto';

export interface RunRequest {
  file: string;
  dataset: string;
  /** The per-row kernel (src/workers/kernels/registry.ts); default `norm`. */
  compute?: string;
  /** The user's own per-row expression (`--expr`; src/workers/kernels/expression), in place of `compute`. */
  expr?: string;
  /** Absent or `auto`: chosen by the run (see StrategyChoice). */
  strategy?: StrategyChoice;
  /** 1..64; ignored by inline, which runs on the main thread, and by dask with a scheduler (the cluster has its own). Absent: one per core. */
  workers?: number;
  /** Rows per block; default derived from the chunk shape. */
  blockRows?: number;
  /** Output dataset path; default `distances` beside the input. */
  output?: string;
  overwrite?: boolean;
  /** dask: the scheduler's address (e.g. tcp://host:8786); without it a local cluster of `workers` processes. */
  scheduler?: string;
  /** dask: the Python interpreter to run the driver with (default H5BLOCKS_PYTHON, else python3). Never from the renderer. */
  python?: string;
  /**
   * Readable while running (SWMR): after the output is made and committed, the
   * run becomes the file's SWMR writer and writes blocks in row order, flushing
   * after each, so SWMR readers (h5py with swmr=True) see the rows fill in.
   */
  live?: boolean;
  /** live: rewrite an older file's superblock as version 3 (HDF5 1.8 tools then cannot open the file). */
  upgradeFormat?: boolean;
}

export const PHASES = [
  'start',
  'log',
  'init',
  'queue',
  'read',
  'transfer',
  'compute',
  'shard-write',
  'merge',
  'write',
  'flush',
  'commit',
] as const;
export type Phase = (typeof PHASES)[number];

/** `main`, a worker thread id, or a Dask worker's address (tcp://…). */
export type Lane = 'main' | number | string;

/** Lane order everywhere: main, then worker threads by id, then Dask workers by address. */
export function compareLanes(a: Lane, b: Lane): number {
  const rank = (lane: Lane) => (lane === 'main' ? 0 : typeof lane === 'number' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** A Dask worker's lane is its address; the short form drops the protocol. */
export function isDaskLane(lane: Lane): lane is string {
  return typeof lane === 'string' && lane !== 'main';
}

export interface PhaseSpan {
  phase: Phase;
  lane: Lane;
  /** `start` spans: which part of starting up (`process`, `h5wasm`, `compile`, `workers`, …). */
  step?: string;
  /** ms since run start, one clock for every thread. */
  start: number;
  end: number;
}

export interface BlockTiming {
  index: number;
  rowStart: number;
  rowEnd: number;
  bytesIn: number;
  bytesOut: number;
  phases: PhaseSpan[];
}

export interface PhaseTotal {
  phase: Phase;
  ms: number;
}

export interface LaneUtilisation {
  lane: Lane;
  busyMs: number;
  /** busyMs / wall time. */
  utilisation: number;
}

export interface RunSummary {
  wallMs: number;
  rowsPerSecond: number;
  /** Input megabytes (10^6 bytes) per second. */
  mbPerSecond: number;
  phaseTotals: PhaseTotal[];
  lanes: LaneUtilisation[];
}

/** NaN, +Inf and -Inf among a run's output values (an expression's division by zero, log of 0, a NaN in the input). */
export interface NonFiniteCounts {
  nan: number;
  posInf: number;
  negInf: number;
}

export const NO_NON_FINITE: NonFiniteCounts = Object.freeze({ nan: 0, posInf: 0, negInf: 0 });

/** Adds one block's counts to a run's. */
export function addNonFinite(total: NonFiniteCounts, block: NonFiniteCounts): NonFiniteCounts {
  return { nan: total.nan + block.nan, posInf: total.posInf + block.posInf, negInf: total.negInf + block.negInf };
}

/** "3 NaN and 1 Inf values in /ratio", or null when every value is finite. */
export function nonFiniteSummary(counts: NonFiniteCounts, output: string): string | null {
  const parts: string[] = [];
  if (counts.nan) parts.push(`${counts.nan.toLocaleString('en-US')} NaN`);
  if (counts.posInf) parts.push(`${counts.posInf.toLocaleString('en-US')} Inf`);
  if (counts.negInf) parts.push(`${counts.negInf.toLocaleString('en-US')} -Inf`);
  if (parts.length === 0) return null;
  const listed = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `${listed} ${parts.length === 1 && (counts.nan + counts.posInf + counts.negInf) === 1 ? 'value' : 'values'} in ${output}`;
}

/**
 * Runs compared with each other (Compare's groups, whether outputs match): the same file,
 * dataset and computation; for expressions, the same expression text.
 */
export function likeWithLikeKey(run: Pick<RunResult, 'file' | 'dataset' | 'compute' | 'expression'>): string {
  return [run.file, run.dataset, run.compute ?? 'norm', ...(run.expression !== undefined ? [run.expression] : [])].join('\n');
}

export interface RunResult {
  id: string;
  file: string;
  dataset: string;
  output: string;
  /** The kernel that made the output (runs recorded before kernels existed computed `norm`). */
  compute?: string;
  /** compute `expr`: the expression as the user typed it. */
  expression?: string;
  /** The input dataset's shape at the run (rows first): an expression's x[j, k] depends on it (an exported script compiles it again). */
  inputShape?: number[];
  /** compute `expr`: NaN and ±Inf among the values written (rounded to the output type), counted per block by the workers and summed in block order. */
  nonFinite?: NonFiniteCounts;
  strategy: Strategy;
  workers: number;
  blockRows: number;
  rows: number;
  columns: number;
  inputDtype: string;
  outputDtype: 'float32' | 'float64';
  startedAt: string;
  wallMs: number;
  /** SHA-256 of the output values, to tell whether two runs agree bit for bit. */
  outputSha256: string;
  /** dask: the scheduler's address, or 'local' for a local cluster the run started. */
  scheduler?: string;
  /** When the request left strategy, workers or block size to the run: the rule that chose them, in words. */
  chosen?: string;
  /**
   * Block buffers (input and output) the run allocated; every other block
   * reused them (or an earlier run's on the same thread, then none is allocated).
   * Bounded by the blocks in flight, not by the number of blocks.
   */
  blockBuffers?: { allocated: number; bytes: number };
  /** The run wrote its output as the file's SWMR writer (--live): readable while it ran. */
  live?: boolean;
  summary: RunSummary;
  /** Phases outside any block: worker start-up, starting the write-ahead log, committing it. */
  runPhases: PhaseSpan[];
  blocks: BlockTiming[];
}

export interface RunProgress {
  runId: string;
  blocksDone: number;
  blocksTotal: number;
  rowsDone: number;
  rowsTotal: number;
  elapsedMs: number;
  rowsPerSecond: number;
  etaMs: number | null;
  /** The block that just finished, so a timeline can be drawn live. */
  block?: BlockTiming;
  /**
   * Work under way now, one span per busy lane (started, not ended): worker
   * start-up, a block being read or computed. Sent with every progress event
   * and a few times a second between them, so a timeline draws phases while
   * they last rather than after.
   */
  active?: ActiveSpan[];
  /** The run's own spans finished so far (start-up, the write-ahead log), before the result carries them all. */
  runPhases?: PhaseSpan[];
}

/**
 * Between blocks, a few times a second: the clock and the work under way (a
 * run event of its own, so progress events stay one per block).
 */
export interface RunActivityReport {
  runId: string;
  elapsedMs: number;
  active: ActiveSpan[];
  runPhases: PhaseSpan[];
}

/** A phase a lane is in now: from `start` (ms since the run started) until it reports its end. */
export interface ActiveSpan {
  phase: Phase;
  lane: Lane;
  /** `start` spans: which part of starting up (`worker`, …). */
  step?: string;
  start: number;
  /** The block's index (0-based) when the work is a block's. */
  block?: number;
}
