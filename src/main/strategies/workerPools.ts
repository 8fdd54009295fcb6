import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

export type WorkerName = 'blockWorker' | 'shardWorker';

// Starting a worker costs tens of milliseconds and a shard worker's h5wasm
// another ~0.3 s, so pools stay warm between runs and only idle ones retire.
const IDLE_TIMEOUT_MS = 5 * 60_000;
const pools = new Map<WorkerName, Piscina>();

export function workerPool(name: WorkerName, threads: number): Piscina {
  const current = pools.get(name);
  if (current && current.options.maxThreads === threads) return current;
  if (current) void current.destroy();
  const pool = new Piscina({
    filename: workerFile(name),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: IDLE_TIMEOUT_MS,
    // One task per thread: a worker with two blocks would make the second wait unseen.
    concurrentTasksPerWorker: 1,
  });
  pools.set(name, pool);
  return pool;
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
