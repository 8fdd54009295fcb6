import { basename } from 'node:path';
import { H5BlocksError } from '../../shared/errors';
import type { RunProgress, RunRequest, RunResult } from '../../shared/run';
import { newRunId, runComputation } from '../run/engine';

interface ActiveRun {
  file: string;
  controller: AbortController;
  settled: Promise<void>;
}

export interface RunCallbacks {
  onProgress(progress: RunProgress): void;
  onFinished(result: RunResult): void;
  onFailed(runId: string, error: unknown): void;
  /** After the run ended either way, before onFinished/onFailed. */
  onSettled?(): void;
}

/** Runs going on in the background, each with its own AbortController. */
export class ActiveRuns {
  private readonly runs = new Map<string, ActiveRun>();

  /** Starts a run on the next turn of the event loop, so its id reaches the caller before any of its events. */
  start(request: RunRequest, callbacks: RunCallbacks): string {
    const runId = newRunId();
    const controller = new AbortController();
    const settled = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => runComputation(request, { signal: controller.signal, onProgress: callbacks.onProgress }, runId))
      .then((result) => {
        callbacks.onSettled?.();
        callbacks.onFinished(result);
      }, (error: unknown) => {
        callbacks.onSettled?.();
        callbacks.onFailed(runId, error);
      })
      .catch((error: unknown) => callbacks.onFailed(runId, error))
      .finally(() => this.runs.delete(runId));
    this.runs.set(runId, { file: request.file, controller, settled });
    return runId;
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

  /** Cancels every run and waits until each has cleaned up (rolled back, locks released). */
  async cancelAll(): Promise<void> {
    const runs = [...this.runs.keys()];
    for (const runId of runs) this.cancel(runId);
    await Promise.all([...this.runs.values()].map((run) => run.settled));
  }
}
