import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { withCompiledH5Module } from '../hdf5/h5wasm';
import { epochNow } from '../run/clock';

export type WorkerName = 'blockWorker' | 'shardWorker' | 'ioThread' | 'hashWorker';

// Starting a worker costs tens of milliseconds and a shard worker's h5wasm
// another ~0.3 s, so threads stay warm between runs and retire after idling.
// One pool per (worker, size): runs of different sizes may overlap (two files
// at once in the app), so a pool is never resized or torn down under a run.
const IDLE_TIMEOUT_MS = 5 * 60_000;
const pools = new Map<string, Piscina>();
const createdAt = new WeakMap<Piscina, number>();

/** Workers that read HDF5 themselves; they get the process's compiled h5wasm rather than compiling their own. */
const USES_HDF5: readonly WorkerName[] = ['shardWorker'];

/**
 * The pool of `threads` workers of a kind. `start` starts them all now rather
 * than at their first task, so their start-up overlaps the run's own (opening
 * the file, preparing the output) instead of following it; such a pool keeps
 * them until the process ends (the CLI) or `closeWorkerPools`.
 */
export function workerPool(name: WorkerName, threads: number, start = false): Piscina {
  const key = `${name}:${threads}`;
  const current = pools.get(key);
  if (current) return current;
  const pool = new Piscina({
    filename: workerFile(name),
    // Worker threads outlive this call: a compiled h5wasm known now goes with them.
    workerData: USES_HDF5.includes(name) ? withCompiledH5Module({}) : undefined,
    minThreads: start ? threads : 0,
    maxThreads: threads,
    idleTimeout: IDLE_TIMEOUT_MS,
    // One task per thread: a worker with two blocks would make the second wait unseen.
    concurrentTasksPerWorker: 1,
  });
  // Piscina emits 'error' for trouble that belongs to no task, such as a worker's
  // late answer to a task just aborted (one block failed, or the user cancelled).
  // Every task already settles on its own, and with no listener that event is an
  // uncaught exception that kills the process.
  pool.on('error', () => undefined);
  pools.set(key, pool);
  createdAt.set(pool, epochNow());
  return pool;
}

/** Epoch ms the pool was made: its workers' start-up began then. */
export function poolStartedAt(pool: Piscina): number {
  return createdAt.get(pool) ?? 0;
}


/** Stops every worker; the CLI calls it so the process can exit. */
export async function closeWorkerPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.destroy()));
}

/**
 * Worker entries are built to `out/main/<name>.js` by electron-vite. The code
 * asking may itself be bundled in `out/main` or `out/main/chunks`, or run from
 * source under vitest, so look upwards for the built file.
 */
export function workerFile(name: WorkerName): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    for (const candidate of [join(dir, `${name}.js`), join(dir, 'out', 'main', `${name}.js`)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error(`worker ${name}.js not found: run \`npm run build\` first`);
}
