import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Strategy } from '@shared/run';

export type IfExists = 'ask' | 'overwrite' | 'rename';

/**
 * The run form as the user left it, kept across tab switches. Strategy and
 * workers carry over to other datasets; block size, output and what to do if
 * it exists belong to one dataset, so "Overwrite" chosen for one file never
 * silently applies to another.
 */
export interface RunSettings {
  strategy: Strategy;
  /** null until the user edits it: then the form follows the core count. */
  workersText: string | null;
  blockRowsText: string;
  /** The per-row kernel (src/workers/kernels/registry.ts), or EXPRESSION_CHOICE for the user's own expression. */
  compute: string;
  /** The expression typed for this dataset (its columns are this dataset's). */
  expressionText: string;
  /** null until the user edits it: then the output is named after the computation. */
  outputText: string | null;
  ifExists: IfExists;
  /** dask: the scheduler's address; blank for a local cluster. Remembered across sessions. */
  schedulerText: string;
}

type DatasetSettings = Pick<RunSettings, 'blockRowsText' | 'compute' | 'expressionText' | 'outputText' | 'ifExists'>;

const GLOBAL_DEFAULTS: Pick<RunSettings, 'strategy' | 'workersText' | 'schedulerText'> = { strategy: 'pool', workersText: null, schedulerText: '' };
const SCHEDULER_KEY = 'h5blocks.daskScheduler';

// The scheduler address outlives the session (a user has one cluster); storage may be unavailable, then it is not kept.
function rememberedScheduler(): string {
  try {
    return window.localStorage.getItem(SCHEDULER_KEY) ?? '';
  } catch {
    return '';
  }
}

function rememberScheduler(text: string): void {
  try {
    window.localStorage.setItem(SCHEDULER_KEY, text);
  } catch {
    // Not kept: the field still holds it for this session.
  }
}
const DATASET_DEFAULTS: DatasetSettings = { blockRowsText: '', compute: 'norm', expressionText: '', outputText: null, ifExists: 'ask' };

/** The computation choice that opens the expression box (the engine's kernel name for expressions). */
export const EXPRESSION_CHOICE = 'expr';

interface Store {
  shared: typeof GLOBAL_DEFAULTS;
  perDataset: Record<string, DatasetSettings>;
}

const RunSettingsContext = createContext<{ store: Store; update(key: string, change: Partial<RunSettings>): void } | null>(null);

export function RunSettingsProvider({ children }: { children: ReactNode }) {
  const [store, setStore] = useState<Store>(() => ({ shared: { ...GLOBAL_DEFAULTS, schedulerText: rememberedScheduler() }, perDataset: {} }));
  const update = useCallback((key: string, change: Partial<RunSettings>) => setStore((current) => {
    const { strategy, workersText, schedulerText, ...datasetChange } = change;
    if (schedulerText !== undefined) rememberScheduler(schedulerText);
    const shared = {
      ...current.shared, ...(strategy !== undefined && { strategy }), ...(workersText !== undefined && { workersText }),
      ...(schedulerText !== undefined && { schedulerText }),
    };
    const perDataset = Object.keys(datasetChange).length === 0 ? current.perDataset
      : { ...current.perDataset, [key]: { ...DATASET_DEFAULTS, ...current.perDataset[key], ...datasetChange } };
    return { shared, perDataset };
  }), []);
  const value = useMemo(() => ({ store, update }), [store, update]);
  return <RunSettingsContext.Provider value={value}>{children}</RunSettingsContext.Provider>;
}

/** The settings for one dataset (`fileId:path`) and a setter for any of them. */
export function useRunSettings(datasetKey: string) {
  const context = useContext(RunSettingsContext);
  if (!context) throw new Error('useRunSettings outside RunSettingsProvider');
  const { store, update } = context;
  const settings: RunSettings = { ...store.shared, ...DATASET_DEFAULTS, ...store.perDataset[datasetKey] };
  return { settings, update: (change: Partial<RunSettings>) => update(datasetKey, change) };
}
