import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { H5BlocksError } from '@shared/errors';
import type { NonFiniteCounts } from '@shared/run';

/** What the driver (resources/python/h5blocks_dask.py) is asked to do: one line of JSON on its stdin. */
export interface DriverPlan {
  runId: string;
  file: string;
  dataset: string;
  kind: string;
  /** What each block computes (src/workers/kernels/compute.ts's KernelTask), done by its numpy twin. */
  task: { kernel: string; stats?: unknown; expression?: string; shape?: number[]; numpy?: string };
  /** [index, rowStart, rowEnd] per block. */
  blocks: [number, number, number][];
  /** A folder every Dask worker can write to (beside the input, which they all read). */
  shardDir: string;
  scheduler?: string;
  /** Size of the local cluster when there is no scheduler. */
  workers: number;
  connectTimeoutSeconds: number;
}

export type DaskPhase = 'read' | 'compute' | 'shard-write';

export type DriverEvent =
  | { event: 'connected'; scheduler: string; local: boolean; workers: string[] }
  /** Phase stamps in epoch ms on the driver's clock (workers' clocks already mapped onto it). */
  | { event: 'block'; index: number; worker: string; phases: Record<DaskPhase, [number, number]>; nonFinite?: NonFiniteCounts }
  | { event: 'done' }
  | { event: 'cancelled' }
  | { event: 'error'; message: string };

export interface DriverExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The driver's last stderr lines, kept only to explain an exit without an error event. */
  stderrTail: string[];
}

const MISSING_PYTHON_HINT = 'the Dask strategy needs Python 3 with dask, distributed, h5py and numpy; point H5BLOCKS_PYTHON (or --python) at one';
const STDERR_LINES_KEPT = 20;
// After a cancel the driver has this long to cancel its futures and close its cluster.
const CANCEL_GRACE_MS = 15_000;

/** The interpreter for the driver: the request's, else $H5BLOCKS_PYTHON, else python3 on PATH. */
export function pythonFor(requested: string | undefined): string {
  return requested || process.env.H5BLOCKS_PYTHON || 'python3';
}

/**
 * The Python files ship in `resources/python`. The code asking may be bundled in
 * `out/main` (or its chunks) or run from source under vitest, so look upwards.
 */
export function pythonResource(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, 'resources', 'python', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new H5BlocksError('internal', `resources/python/${name} is missing from this installation of h5blocks`);
}

/** One driver process: the plan goes in at start, events come out, `cancel()` asks it to stop. */
export class DaskDriver {
  readonly exited: Promise<DriverExit>;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private killTimer?: NodeJS.Timeout;

  constructor(python: string, plan: DriverPlan, onEvent: (event: DriverEvent) => void, onStartFailure: (error: H5BlocksError) => void) {
    this.child = spawn(python, [pythonResource('h5blocks_dask.py')], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Python's own buffering would hold events back; the driver flushes, this makes sure.
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    const stderrTail: string[] = [];
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearTimeout(this.killTimer);
        resolve({ code, signal, stderrTail });
      });
    });
    this.child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'no such program' : error.code === 'EACCES' ? 'permission denied' : error.message;
      onStartFailure(new H5BlocksError('cluster', `cannot start ${python} (${why}); ${MISSING_PYTHON_HINT}`));
    });
    // A driver that died early closes its stdin: the write fails, and its exit says why.
    this.child.stdin.on('error', () => undefined);
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let event: DriverEvent;
      try {
        event = JSON.parse(line) as DriverEvent;
      } catch {
        return; // Not an event: something in the Python world printed to the real stdout.
      }
      onEvent(event);
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      if (line.trim() === '') return;
      stderrTail.push(line);
      if (stderrTail.length > STDERR_LINES_KEPT) stderrTail.shift();
    });
    this.child.stdin.write(`${JSON.stringify(plan)}\n`);
  }

  /** Asks the driver to cancel its futures and exit; kills it if it has not within the grace period. */
  cancel(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end(`${JSON.stringify({ command: 'cancel' })}\n`);
    this.killTimer ??= setTimeout(() => this.child.kill('SIGKILL'), CANCEL_GRACE_MS);
  }
}

/** Why a driver stopped without saying why itself: its exit and the last line that looks like an error. */
export function unexpectedExit(exit: DriverExit, python: string): H5BlocksError {
  const errorLine = [...exit.stderrTail].reverse().find((line) => /^[A-Za-z_.]*(Error|Exception)\b/.test(line.trim()));
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new H5BlocksError('cluster', `the Dask driver (${python}) ${how}${errorLine ? `: ${errorLine.trim()}` : ''}`);
}
