// What a run is asked to do and what it reports: the vocabulary shared by the
// engine, the CLI, the server and the renderer.

export const STRATEGIES = ['inline', 'pool', 'shard'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const MAX_WORKERS = 64;

export interface RunRequest {
  file: string;
  dataset: string;
  strategy: Strategy;
  /** 1..64; ignored by inline, which runs on the main thread. */
  workers: number;
  /** Rows per block; default derived from the chunk shape. */
  blockRows?: number;
  /** Output dataset path; default `distances` beside the input. */
  output?: string;
  overwrite?: boolean;
}

export const PHASES = [
  'log',
  'init',
  'queue',
  'read',
  'transfer',
  'compute',
  'shard-write',
  'merge',
  'write',
  'commit',
] as const;
export type Phase = (typeof PHASES)[number];

/** `main` or a worker thread id. */
export type Lane = 'main' | number;

export interface PhaseSpan {
  phase: Phase;
  lane: Lane;
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

export interface RunResult {
  id: string;
  file: string;
  dataset: string;
  output: string;
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
}
