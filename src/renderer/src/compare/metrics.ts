import type { RunRecord } from '@shared/api';
import { likeWithLikeKey } from '@shared/run';

export interface ComparedRun {
  record: RunRecord;
  /** The inline run this one is measured against: the fastest inline run of the same file, dataset and kernel. */
  baseline: RunRecord | null;
  /** Baseline wall time ÷ this run's wall time; null without an inline run to compare with. */
  speedup: number | null;
  /** Speedup per worker: 1.0 means every worker added a full inline's worth of speed. */
  efficiency: number | null;
}

/** Runs compared with each other: the same file, dataset and kernel or expression (like with like). */
export function groupKey(run: Pick<RunRecord, 'file' | 'dataset' | 'compute' | 'expression'>): string {
  return likeWithLikeKey(run);
}

export function compareRuns(records: RunRecord[]): ComparedRun[] {
  const baselines = new Map<string, RunRecord>();
  for (const record of records) {
    if (record.strategy !== 'inline') continue;
    const key = groupKey(record);
    const best = baselines.get(key);
    if (!best || record.wallMs < best.wallMs) baselines.set(key, record);
  }
  return records.map((record) => {
    const baseline = baselines.get(groupKey(record)) ?? null;
    const speedup = baseline && record.wallMs > 0 ? baseline.wallMs / record.wallMs : null;
    return { record, baseline, speedup, efficiency: speedup === null ? null : speedup / Math.max(1, record.workers) };
  });
}
