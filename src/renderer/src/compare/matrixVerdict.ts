// The sentence a run matrix ends with: which configuration won, by the same
// median figure the chart and table show, and why, in words about that winner.

import { formatCompact, formatFactor, formatPercent, formatRate } from '../format/units';
import { diagnose } from './bottleneck';
import { describeRanked, rangesOverlap, type RankedConfig } from './matrixResults';

export interface MatrixSubject {
  fileName: string;
  dataset: string;
  rows: number;
  /** Whether reading the dataset decompresses it (a filter pipeline). */
  filtered: boolean;
}

const workersText = (n: number) => `${n} worker${n === 1 ? '' : 's'}`;

/** Why the winner wins, from its strategy and the phases of its typical run (and of the best parallel rival). */
export function winnerReason(ranked: RankedConfig[], filtered: boolean): string {
  const [winner] = ranked;
  const share = (config: RankedConfig) => diagnose(config.typical.summary.phaseTotals, filtered);
  switch (winner.strategy) {
    case 'inline': {
      const rival = ranked.find((c) => c.strategy !== 'inline');
      if (!rival) return 'it was the only strategy tried, so there was nothing to beat';
      const rivalDiagnosis = share(rival);
      if (rivalDiagnosis.bottleneck === 'overhead-bound') {
        return `the dataset is small: in the parallel runs, starting workers and moving blocks between threads took ${formatPercent(rivalDiagnosis.share)} of the work, more than computing in parallel saved, so workers do not pay off`;
      }
      const own = share(winner);
      if (own.bottleneck === 'I/O-bound' || own.bottleneck === 'decompression-bound') {
        const io = own.bottleneck === 'decompression-bound' ? 'reading and decompressing' : 'reading and writing';
        return `the work is I/O-bound: ${io} took ${formatPercent(own.share)} of the time, and the arithmetic workers could share is small, so workers do not pay off`;
      }
      return 'the arithmetic per row is cheap next to handing blocks to workers and back, so workers do not pay off';
    }
    case 'pool':
      return `${workersText(winner.workers)} compute blocks in parallel while the main thread reads the next blocks and writes the results, so reading and computing overlap`;
    case 'shard':
      return filtered
        ? `each of the ${workersText(winner.workers)} reads and decompresses its own share of the blocks, so decompression runs in parallel in the workers`
        : `each of the ${workersText(winner.workers)} reads and computes its own share of the blocks, so reading runs in parallel too, not only the arithmetic`;
    case 'dask':
      return 'the Dask workers read and compute chunks in parallel in their own processes';
    case 'vds':
      return `each of the ${workersText(winner.workers)} reads, computes and writes its own share of the blocks as shard files, and nothing is merged afterwards: the output is a virtual dataset over the shards`;
  }
}

/** The banner: file and dataset, the winner with its median and spread, the runner-up, and why. */
export function matrixVerdict(ranked: RankedConfig[], subject: MatrixSubject): string {
  const [winner, next] = ranked;
  const runs = winner.runs.length;
  const spread = runs > 1 ? ` (${formatCompact(winner.minRowsPerSecond)}–${formatRate(winner.maxRowsPerSecond, 'rows/s')} over ${runs} runs)` : ' (1 run)';
  const head = `${subject.fileName} ${subject.dataset} (${subject.rows.toLocaleString('en-US')} rows): fastest is ${describeRanked(winner)}, `
    + `median ${formatRate(winner.medianRowsPerSecond, 'rows/s')}${spread}`;
  const versus = next
    ? `, ${formatFactor(winner.medianRowsPerSecond / next.medianRowsPerSecond)} the next, ${describeRanked(next)} at ${formatRate(next.medianRowsPerSecond, 'rows/s')}`
    : '';
  const noise = next && rangesOverlap(winner, next)
    ? ' Its range overlaps the next one\'s, so the two are within noise of each other: more repeats would separate them.'
    : '';
  return `${head}${versus}. Why: ${winnerReason(ranked, subject.filtered)}.${noise}`;
}
