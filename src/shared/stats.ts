// Whole-dataset statistics (`h5blocks stats`, the app's Statistics): what is
// asked and what comes back, shared by the engine, the CLI and the renderer.
import type { BlockTiming, PhaseSpan, RunSummary, Strategy } from './run';

/** numpy's default number of bins. */
export const DEFAULT_BINS = 10;
export const MAX_BINS = 100_000;

export interface StatsRequest {
  file: string;
  dataset: string;
  /** Any strategy but vds (statistics are a few figures, not per-row values to map). */
  strategy: Strategy;
  workers: number;
  /** Rows per block, rounded up to whole leaves (see StatsResult.leafRows). */
  blockRows?: number;
  bins?: number;
  /** The histogram's range; default each group's [min, max] (a second pass over the data). */
  range?: [number, number];
  /** Output group; default `<input>_stats` beside the input. */
  output?: string;
  overwrite?: boolean;
  scheduler?: string;
  python?: string;
}

export interface GroupFigures {
  /** The column (N×D); absent for figures over every value. */
  column?: number;
  /** Values that are not NaN. */
  count: number;
  nanCount: number;
  /** Over the values that are not NaN; null when there are none. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation (ddof = 0). */
  std: number | null;
  histogram?: { edges: number[]; counts: number[] };
  /** Why there is no histogram (no values, an infinite range). */
  noHistogram?: string;
}

export interface StatsResult {
  id: string;
  file: string;
  dataset: string;
  output: string;
  strategy: Strategy;
  workers: number;
  blockRows: number;
  /** Rows per leaf: the unit whose partial figures are merged, fixed by the dataset. */
  leafRows: number;
  shape: number[];
  inputDtype: string;
  /** true: one set of figures per column of an N×D dataset; false: over every value. */
  perColumn: boolean;
  bins: number;
  /** Passes over the data: 1 with a given range, 2 when the histogram's range is the data's [min, max]. */
  passes: number;
  groups: GroupFigures[];
  startedAt: string;
  wallMs: number;
  summary: RunSummary;
  runPhases: PhaseSpan[];
  blocks: BlockTiming[];
}

/** `<input>_stats` beside the input. */
export function defaultStatsOutput(dataset: string): string {
  const name = dataset.split('/').filter(Boolean).pop() ?? 'data';
  return `${name}_stats`;
}
