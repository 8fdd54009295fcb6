import { runScratchPath } from '../transaction/scratch';
import { setMaxListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { RunActivityReport, RunProgress, RunRequest, RunResult } from '@shared/run';
import type { ConfinementRules } from '../hdf5/confinement';
import { IoThread } from '../io/ioThread';
import { runOnThread } from '../io/threadRun';
import { newRunId } from '../run/engine';
import { epochNow } from '../run/clock';
import { shardsRootOf } from '../run/shardFolder';

/** The process's environment now, for a run on a thread that started earlier. */
function currentEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

interface ActiveRun {
  file: string;
  controller: AbortController;
  settled: Promise<void>;
}

export interface RunCallbacks {
  onProgress(progress: RunProgress): void;
  onActivity?(activity: RunActivityReport): void;
  onFinished(result: RunResult): void;
  onFailed(runId: string, error: unknown): void;
}

/**
 * Runs going on in the background, each on an I/O thread of its own: a run
 * stuck in a decode is terminated with its thread (Cancel), and neither the
 * open files' threads nor other runs notice.
 */
export class ActiveRuns {
  private readonly runs = new Map<string, ActiveRun>();
  /**
   * The next run's I/O thread, started ahead with h5wasm loaded, so a run
   * starts computing at once instead of after a thread and h5wasm start
   * (confinement, which depends on the run, is sent with the run).
   */
  private spare: IoThread | undefined;
  /** cancelAll() was called: no spare is started any more. */
  private stopping = false;

  /** `warm`: prepare the first run's thread now, not when the first run asks. */
  constructor(options: { warm?: boolean } = {}) {
    if (options.warm) this.prepareSpare();
  }

  /** Starts a run on the next turn of the event loop, so its id reaches the caller before any of its events. */
  start(request: RunRequest, callbacks: RunCallbacks, confine?: ConfinementRules): string {
    const runId = newRunId();
    const requestedAt = epochNow();
    const controller = new AbortController();
    setMaxListeners(16, controller.signal);
    // A shard run merges its shards from the temp folder: that one folder is the run's own.
    // A vds run's workers write their shards in the folder beside the file.
    const own = [runScratchPath(runId), ...(request.strategy === 'vds' ? [shardsRootOf(request.file)] : [])];
    const rules = confine && { ...confine, scratch: own };
    const thread = this.spare ?? new IoThread();
    this.spare = undefined;
    const settled = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => runOnThread(thread, request, runId, { signal: controller.signal, onProgress: callbacks.onProgress, onActivity: callbacks.onActivity, requestedAt, confine: rules, env: currentEnvironment() }))
      .then((result) => callbacks.onFinished(result))
      .catch((error: unknown) => callbacks.onFailed(runId, error))
      .finally(async () => {
        this.runs.delete(runId);
        await thread.terminate();
        // The next run's thread starts once this one is over: started with the run,
        // its h5wasm load took a core from the run on a 2-core machine.
        if (!this.stopping) this.prepareSpare();
      });
    this.runs.set(runId, { file: request.file, controller, settled });
    return runId;
  }

  private prepareSpare(): void {
    if (this.spare) return;
    this.spare = new IoThread();
    this.spare.prepare();
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  isRunningOn(file: string): boolean {
    return [...this.runs.values()].some((run) => run.file === file);
  }

  cancel(runId: string): void {
    const run = this.runs.get(runId);
    run?.controller.abort(new H5BlocksError('aborted', `${basename(run.file)}: run cancelled; the file is unchanged`, { file: run.file }));
  }

  /** Cancels every run and waits until each has cleaned up (staged copies removed, locks released). */
  async cancelAll(): Promise<void> {
    this.stopping = true;
    const runs = [...this.runs.keys()];
    for (const runId of runs) this.cancel(runId);
    await Promise.all([...this.runs.values()].map((run) => run.settled));
    const spare = this.spare;
    this.spare = undefined;
    await spare?.terminate();
  }
}
