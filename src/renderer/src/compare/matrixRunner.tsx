import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { RunRecord } from '@shared/api';
import type { DatasetEntity } from '@shared/entities';
import { toErrorInfo } from '@shared/errors';
import { hasDecompression } from '../format/hdf5';
import { formatInteger } from '../format/units';
import { useRuns } from '../run/runsStore';
import type { MatrixConfig } from './matrix';
import { rankConfigurations, type RankedConfig } from './matrixResults';
import { matrixVerdict } from './matrixVerdict';

export interface MatrixPlan {
  fileId: string;
  fileName: string;
  dataset: DatasetEntity;
  /** The kernel every run of the matrix computes (the Run tab's choice for this dataset). */
  compute: string;
  /** The Run tab's own expression, in place of `compute`, when it chose one. */
  expression?: string;
  output: string;
  configs: MatrixConfig[];
  /** Runs per configuration: the ranking is by median, so one noisy run cannot decide it. */
  repeats: number;
}

/** What a finished (or stopped) matrix found, and what it was run on. */
export interface MatrixOutcome {
  fileId: string;
  /** The file's path, as the run records name it. */
  file: string;
  fileName: string;
  dataset: string;
  repeats: number;
  /** Fastest first, by median rows/s; the banner, chart and table all show this. */
  ranked: RankedConfig[];
  sentence: string;
}

export type MatrixStatus =
  | { state: 'idle' }
  | { state: 'running'; index: number; total: number; label: string }
  | { state: 'stopped'; message: string };

interface MatrixRunner {
  status: MatrixStatus;
  outcome: MatrixOutcome | null;
  start(plan: MatrixPlan): Promise<void>;
  stop(): void;
  forget(): void;
}

const MatrixContext = createContext<MatrixRunner | null>(null);

export function describeConfig(config: MatrixConfig): string {
  const workers = config.strategy === 'inline' ? '' : ` · ${config.workers} worker${config.workers === 1 ? '' : 's'}`;
  if (config.blockRows) return `${config.strategy}${workers} · ${formatInteger(config.blockRows)}-row blocks`;
  return `${config.strategy}${workers} · ${config.plannedRows ? `${formatInteger(config.plannedRows)}-row blocks (its default)` : 'default blocks'}`;
}

/**
 * Every configuration once, then every one again, `repeats` times: a drift in
 * the machine's load then touches all configurations alike.
 */
export function matrixSchedule(configs: MatrixConfig[], repeats: number): { config: MatrixConfig; repeat: number }[] {
  const schedule: { config: MatrixConfig; repeat: number }[] = [];
  for (let repeat = 1; repeat <= repeats; repeat++) for (const config of configs) schedule.push({ config, repeat });
  return schedule;
}

/**
 * Runs a matrix one run after another, overwriting the output each time, then
 * ranks the configurations by median and says why the fastest won. It lives
 * above the tabs, so a matrix keeps going (and keeps its verdict) while the
 * user looks at timelines.
 */
export function MatrixProvider({ children }: { children: ReactNode }) {
  const runs = useRuns();
  const latestRuns = useRef(runs);
  latestRuns.current = runs;
  const [status, setStatus] = useState<MatrixStatus>({ state: 'idle' });
  const [outcome, setOutcome] = useState<MatrixOutcome | null>(null);
  const stopRequested = useRef(false);

  const start = useCallback(async (plan: MatrixPlan) => {
    stopRequested.current = false;
    setOutcome(null);
    const finished: RunRecord[] = [];
    const schedule = matrixSchedule(plan.configs, plan.repeats);
    let failure: string | null = null;
    for (const [index, { config, repeat }] of schedule.entries()) {
      if (stopRequested.current) break;
      const label = `${describeConfig(config)} (repeat ${repeat} of ${plan.repeats})`;
      setStatus({ state: 'running', index, total: schedule.length, label });
      try {
        const runId = await latestRuns.current.start(
          { fileId: plan.fileId, dataset: plan.dataset.path, ...(plan.expression !== undefined ? { expression: plan.expression } : { compute: plan.compute }), strategy: config.strategy, workers: config.workers, blockRows: config.blockRows, output: plan.output, overwrite: true },
          plan.fileName,
          { openOutput: false },
        );
        finished.push(await latestRuns.current.waitFor(runId));
      } catch (error) {
        if (stopRequested.current) break;
        failure = `Stopped at run ${index + 1} of ${schedule.length} (${label}): ${toErrorInfo(error).message}`;
        break;
      }
    }
    if (finished.length === 0) {
      setStatus({ state: 'stopped', message: failure ?? 'Stopped before any run finished.' });
      return;
    }
    const ranked = rankConfigurations(finished);
    const subject = { fileName: plan.fileName, dataset: plan.dataset.path, rows: finished[0].rows, filtered: hasDecompression(plan.dataset) };
    setOutcome({
      fileId: plan.fileId, file: finished[0].file, fileName: plan.fileName, dataset: plan.dataset.path, repeats: plan.repeats,
      ranked, sentence: matrixVerdict(ranked, subject),
    });
    const partial = `after ${finished.length} of ${schedule.length} runs; the ranking covers those`;
    setStatus(failure ? { state: 'stopped', message: `${failure} The ranking covers the ${finished.length} runs before it.` }
      : stopRequested.current ? { state: 'stopped', message: `Stopped ${partial}.` } : { state: 'idle' });
  }, []);

  const stop = useCallback(() => {
    stopRequested.current = true;
    void latestRuns.current.cancel();
  }, []);

  const forget = useCallback(() => setOutcome(null), []);

  const value = useMemo(() => ({ status, outcome, start, stop, forget }), [status, outcome, start, stop, forget]);
  return <MatrixContext.Provider value={value}>{children}</MatrixContext.Provider>;
}

export function useMatrix(): MatrixRunner {
  const runner = useContext(MatrixContext);
  if (!runner) throw new Error('useMatrix outside MatrixProvider');
  return runner;
}
