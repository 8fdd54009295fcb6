import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { RunRecord } from '../../../shared/api';
import type { DatasetEntity } from '../../../shared/entities';
import { toErrorInfo } from '../../../shared/errors';
import { hasDecompression } from '../format/hdf5';
import { formatInteger } from '../format/units';
import { useRuns } from '../run/runsStore';
import { verdict } from './bottleneck';
import type { MatrixConfig } from './matrix';
import { compareRuns } from './metrics';

export interface MatrixPlan {
  fileId: string;
  fileName: string;
  dataset: DatasetEntity;
  output: string;
  configs: MatrixConfig[];
}

export interface MatrixOutcome {
  fastestId: string;
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
  return `${config.strategy}${workers} · ${config.blockRows ? `${formatInteger(config.blockRows)}-row` : 'default'} blocks`;
}

/**
 * Runs a matrix one configuration after another, overwriting the output each
 * time, then names the fastest and why. It lives above the tabs, so a matrix
 * keeps going (and keeps its verdict) while the user looks at timelines.
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
    for (const [index, config] of plan.configs.entries()) {
      if (stopRequested.current) break;
      const label = describeConfig(config);
      setStatus({ state: 'running', index, total: plan.configs.length, label });
      try {
        const runId = await latestRuns.current.start(
          { fileId: plan.fileId, dataset: plan.dataset.path, ...config, output: plan.output, overwrite: true },
          plan.fileName,
          { openOutput: false },
        );
        finished.push(await latestRuns.current.waitFor(runId));
      } catch (failure) {
        if (stopRequested.current) break;
        setStatus({ state: 'stopped', message: `Stopped at run ${index + 1} of ${plan.configs.length} (${label}): ${toErrorInfo(failure).message}` });
        return;
      }
    }
    if (finished.length === 0) {
      setStatus({ state: 'stopped', message: 'Stopped before any run finished.' });
      return;
    }
    const fastest = finished.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const speedup = compareRuns([...latestRuns.current.records, ...finished]).find((c) => c.record.id === fastest.id)?.speedup ?? null;
    setOutcome({ fastestId: fastest.id, sentence: verdict(fastest, speedup, hasDecompression(plan.dataset)) });
    setStatus(stopRequested.current
      ? { state: 'stopped', message: `Stopped after ${finished.length} of ${plan.configs.length} runs; the verdict covers those.` }
      : { state: 'idle' });
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
