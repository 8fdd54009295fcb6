import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Strategy } from '@shared/run';
import { IoThread } from '../io/ioThread';
import { runOnThread } from '../io/threadRun';
import { newRunId } from '../run/engine';
import type { BenchInput } from './results';
import type { ScratchFolder } from './scratchFolder';

/** The promise: HDF5 work never holds the main thread's event loop longer than this. */
export const STALL_TARGET_MS = 50;

export interface StallRow {
  input: string;
  inputLabel: string;
  strategy: Strategy;
  workers: number;
  rows: number;
  wallSeconds: number;
  /** The longest the main thread's event loop waited during the run (perf_hooks, 10 ms resolution). */
  maxStallMs: number;
}

/**
 * A run the way the app and the CLI do it (on an I/O thread), with the main
 * thread's event loop delay measured throughout: what a window or the server
 * would feel while the run goes on.
 */
export async function measureStall(input: BenchInput, strategy: Strategy, workers: number, scratch: ScratchFolder, signal: AbortSignal): Promise<StallRow> {
  const name = `${input.id}.stall.h5`;
  const copy = scratch.copy(input.path, name);
  const thread = new IoThread();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  try {
    // Thread start-up (loading h5wasm) is not the run: warm it first.
    await thread.call({ kind: 'check', file: copy });
    const start = performance.now();
    histogram.enable();
    const result = await runOnThread(thread, {
      file: copy, dataset: '/coords', strategy, workers, output: '/distances', overwrite: true,
    }, newRunId(), { signal });
    histogram.disable();
    return {
      input: input.id, inputLabel: input.label, strategy, workers: result.workers, rows: result.rows,
      wallSeconds: (performance.now() - start) / 1000, maxStallMs: histogram.max / 1e6,
    };
  } finally {
    histogram.disable();
    await thread.terminate();
    scratch.discard(name);
  }
}
