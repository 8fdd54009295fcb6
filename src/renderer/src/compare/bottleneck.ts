import type { Phase, PhaseTotal } from '@shared/run';
import { formatPercent } from '../format/units';

export type Bottleneck = 'compute-bound' | 'I/O-bound' | 'decompression-bound' | 'overhead-bound';

type Activity = 'read' | 'compute' | 'write' | 'overhead';

/** Which kind of work each phase is; queue wait is not work and is left out. */
const ACTIVITY: Partial<Record<Phase, Activity>> = {
  read: 'read',
  compute: 'compute',
  write: 'write',
  merge: 'write',
  'shard-write': 'write',
  commit: 'write',
  log: 'overhead',
  init: 'overhead',
  transfer: 'overhead',
};

export interface Diagnosis {
  bottleneck: Bottleneck;
  /** The share of the run's work the dominant activity took (0..1). */
  share: number;
  reason: string;
}

/**
 * Names what limited a run from its phase totals: the activity with the most
 * time summed over all threads. Reading dominates on a filtered dataset →
 * decompression-bound; reading or writing otherwise → I/O-bound; computing →
 * compute-bound; start-up, the log and transfers → overhead-bound.
 */
export function diagnose(totals: PhaseTotal[], filtered: boolean): Diagnosis {
  const sums: Record<Activity, number> = { read: 0, compute: 0, write: 0, overhead: 0 };
  for (const { phase, ms } of totals) {
    const activity = ACTIVITY[phase];
    if (activity) sums[activity] += ms;
  }
  const work = Object.values(sums).reduce((a, b) => a + b, 0);
  const [top, ms] = (Object.entries(sums) as [Activity, number][]).sort((a, b) => b[1] - a[1])[0];
  const share = work > 0 ? ms / work : 0;
  const percent = formatPercent(share);
  switch (top) {
    case 'compute':
      return { bottleneck: 'compute-bound', share, reason: `computing took ${percent} of the work, so spreading blocks over more workers pays off` };
    case 'read':
      return filtered
        ? { bottleneck: 'decompression-bound', share, reason: `reading took ${percent} of the work on a compressed dataset: decompression dominates, and strategies that read inside the workers (shard) decompress in parallel` }
        : { bottleneck: 'I/O-bound', share, reason: `reading took ${percent} of the work: the file, not the arithmetic, sets the pace, so more workers add little` };
    case 'write':
      return { bottleneck: 'I/O-bound', share, reason: `writing and merging the output took ${percent} of the work, and the output is written by one thread in block order` };
    case 'overhead':
      return { bottleneck: 'overhead-bound', share, reason: `starting workers, starting the file's log and moving blocks between threads took ${percent} of the work: the data is too small for parallel work to pay for itself` };
  }
}
