import { resolve } from 'node:path';
import type { RunActivityReport, RunProgress, RunRequest, RunResult } from '@shared/run';
import type { MaterializeResult } from '@shared/virtual';
import type { StatsRequest, StatsResult } from '@shared/stats';
import { cleanUpAbandonedRun } from './abandonedRun';
import type { IoThread } from './ioThread';
import type { ConfinementRules } from '../hdf5/confinement';

export interface ThreadRunHooks {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  onActivity?: (activity: RunActivityReport) => void;
  /** Epoch ms the user asked for the run; start-up from then on is part of the run's timeline. */
  requestedAt?: number;
  /** Confinement applied in the thread before the run reads anything (a thread prepared before the run was known). */
  confine?: ConfinementRules;
  /** The environment the run sees, for the same kind of thread (its own is from when it started). */
  env?: Record<string, string>;
}

/** A run on an I/O thread; if the thread has to be terminated under it, its leftovers are removed before the failure is reported. */
export function runOnThread(thread: IoThread, request: RunRequest, runId: string, hooks: ThreadRunHooks = {}): Promise<RunResult> {
  return thread.call({ kind: 'run', request, runId, requestedAt: hooks.requestedAt, ...(hooks.confine ? { confine: hooks.confine } : {}), ...(hooks.env ? { env: hooks.env } : {}) }, {
    signal: hooks.signal,
    onProgress: hooks.onProgress,
    onActivity: hooks.onActivity,
    onAbandoned: () => cleanUpAbandonedRun(resolve(request.file), runId),
  });
}

/** Whole-dataset statistics on an I/O thread, cleaned up like a run if the thread is terminated under it. */
export function statsOnThread(thread: IoThread, request: StatsRequest, runId: string, hooks: ThreadRunHooks = {}): Promise<StatsResult> {
  return thread.call({ kind: 'stats', request, runId }, {
    signal: hooks.signal,
    onProgress: hooks.onProgress,
    onAbandoned: () => cleanUpAbandonedRun(resolve(request.file), runId),
  });
}

/** A materialize on an I/O thread, cleaned up like a run if the thread is terminated under it. */
export function materializeOnThread(thread: IoThread, file: string, dataset: string, runId: string, signal?: AbortSignal): Promise<MaterializeResult> {
  return thread.call({ kind: 'materialize', file, dataset, runId }, { signal, onAbandoned: () => cleanUpAbandonedRun(resolve(file), runId) });
}
