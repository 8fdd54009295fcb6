import { H5BlocksError } from '@shared/errors';
import type { StatsResult } from '@shared/stats';
import { hdf5Error } from '../hdf5/errors';
import { objectType, type H5File, type H5Group } from '../hdf5/h5wasm';
import { COMPLETE_ATTRIBUTE, ensureParentGroups } from './output';

/** Marks a group h5blocks wrote its statistics into: only such a group may be overwritten. */
const STATS_MARK = 'h5blocks_compute';

/** Whether `path` is a statistics group an earlier `stats` wrote (so --overwrite may replace it). */
export function isStatsGroup(file: H5File, path: string): boolean {
  const entity = file.get(path);
  if (!entity || objectType(entity) !== 'Group') return false;
  try {
    return (entity as H5Group).attrs[STATS_MARK]?.value === 'stats';
  } catch {
    return false;
  }
}

/**
 * The figures as a small group: one entry per column (or one) in `count`,
 * `nan_count`, `min`, `max`, `mean`, `std`; `histogram` (groups × bins) and
 * `bin_edges` (groups × bins + 1) when every group has one; provenance as
 * attributes, the completion mark last.
 */
export function writeStatsGroup(file: H5File, path: string, result: Omit<StatsResult, 'summary' | 'runPhases' | 'blocks' | 'wallMs'>, provenance: [string, string | number][], displayName: string): void {
  try {
    ensureParentGroups(file, path);
    const group = (file as H5Group).create_group(path);
    const figures = result.groups;
    const column = (pick: (g: (typeof figures)[number]) => number | null) => new Float64Array(figures.map((g) => pick(g) ?? NaN));
    group.create_dataset({ name: 'count', data: new BigInt64Array(figures.map((g) => BigInt(g.count))) });
    group.create_dataset({ name: 'nan_count', data: new BigInt64Array(figures.map((g) => BigInt(g.nanCount))) });
    group.create_dataset({ name: 'min', data: column((g) => g.min) });
    group.create_dataset({ name: 'max', data: column((g) => g.max) });
    group.create_dataset({ name: 'mean', data: column((g) => g.mean) });
    group.create_dataset({ name: 'std', data: column((g) => g.std) });
    if (figures.every((g) => g.histogram)) {
      group.create_dataset({ name: 'histogram', data: new BigInt64Array(figures.flatMap((g) => g.histogram!.counts.map(BigInt))), shape: [figures.length, result.bins] });
      group.create_dataset({ name: 'bin_edges', data: new Float64Array(figures.flatMap((g) => g.histogram!.edges)), shape: [figures.length, result.bins + 1] });
    }
    const attributes: [string, string | number][] = [
      [STATS_MARK, 'stats'],
      ['h5blocks_source', result.dataset],
      ['h5blocks_figures', result.perColumn ? 'per column' : 'over every value'],
      ['h5blocks_bins', result.bins],
      ...provenance,
      ...(figures.some((g) => g.noHistogram) ? [['h5blocks_no_histogram', figures.map((g) => g.noHistogram ?? '').join('; ')] as [string, string]] : []),
    ];
    for (const [name, value] of attributes) {
      if (typeof value === 'number') group.create_attribute(name, new Int32Array([value]), [], '<i');
      else group.create_attribute(name, value);
    }
    group.create_attribute(COMPLETE_ATTRIBUTE, new Int8Array([1]), [], '<b');
  } catch (error) {
    if (error instanceof H5BlocksError) throw error;
    throw hdf5Error(error, displayName, path, 'cannot write the statistics group');
  }
}
