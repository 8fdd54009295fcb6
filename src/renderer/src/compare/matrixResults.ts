// A run matrix's results: each configuration's repeated runs reduced to a
// median and a spread, ranked. The banner, the chart and the table all read
// this one ranking, so they cannot name different winners or figures.

import type { RunRecord } from '@shared/api';
import type { Strategy } from '@shared/run';

/** One configuration of a matrix, as the engine ran it (blockRows resolved). */
export interface RankedConfig {
  key: string;
  strategy: Strategy;
  workers: number;
  blockRows: number;
  runs: RunRecord[];
  /** Rows per second of each run, ascending. */
  rowsPerSecond: number[];
  medianRowsPerSecond: number;
  minRowsPerSecond: number;
  maxRowsPerSecond: number;
  medianWallMs: number;
  /** The run whose throughput is nearest the median: its phases explain the configuration. */
  typical: RunRecord;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function configKey(run: Pick<RunRecord, 'strategy' | 'workers' | 'blockRows'>): string {
  return `${run.strategy}/${run.strategy === 'inline' ? 1 : run.workers}/${run.blockRows}`;
}

/**
 * Groups runs by configuration and ranks the configurations by median
 * throughput, fastest first (ties: the narrower spread first).
 */
export function rankConfigurations(runs: RunRecord[]): RankedConfig[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) groups.set(configKey(run), [...(groups.get(configKey(run)) ?? []), run]);
  const ranked = [...groups.entries()].map(([key, group]): RankedConfig => {
    const rates = group.map((r) => r.summary.rowsPerSecond).sort((a, b) => a - b);
    const medianRowsPerSecond = median(rates);
    const typical = group.reduce((best, r) => (Math.abs(r.summary.rowsPerSecond - medianRowsPerSecond) < Math.abs(best.summary.rowsPerSecond - medianRowsPerSecond) ? r : best));
    return {
      key,
      strategy: group[0].strategy,
      workers: group[0].strategy === 'inline' ? 1 : group[0].workers,
      blockRows: group[0].blockRows,
      runs: group,
      rowsPerSecond: rates,
      medianRowsPerSecond,
      minRowsPerSecond: rates[0],
      maxRowsPerSecond: rates[rates.length - 1],
      medianWallMs: median(group.map((r) => r.wallMs)),
      typical,
    };
  });
  return ranked.sort((a, b) => b.medianRowsPerSecond - a.medianRowsPerSecond
    || (a.maxRowsPerSecond - a.minRowsPerSecond) - (b.maxRowsPerSecond - b.minRowsPerSecond));
}

export function describeRanked(config: Pick<RankedConfig, 'strategy' | 'workers' | 'blockRows'>): string {
  const workers = config.strategy === 'inline' ? 'main thread' : `${config.workers} worker${config.workers === 1 ? '' : 's'}`;
  return `${config.strategy} · ${workers} · ${config.blockRows.toLocaleString('en-US')}-row blocks`;
}

/** Whether two configurations' ranges of throughput overlap: then their order may be noise. */
export function rangesOverlap(a: RankedConfig, b: RankedConfig): boolean {
  return a.minRowsPerSecond <= b.maxRowsPerSecond && b.minRowsPerSecond <= a.maxRowsPerSecond;
}
