// A real Dask cluster on 127.0.0.1 for the tests: one scheduler and one `dask
// worker` process running two single-threaded workers, as the issue asks.
// Each is started in its own process group so that stop() ends it and every
// process it spawned.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, systemPython } from './paths';

const run = promisify(execFile);
const helper = join(projectRoot, 'test/support/dask_cluster.py');

export interface DaskCluster {
  address: string;
  /** Dask worker address -> its process id. */
  workerPids(): Promise<Record<string, number>>;
  /** Tasks the scheduler still holds (0 once every future is gone). */
  schedulerTasks(): Promise<number>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

function startGroup(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // Their logs are of no use to a passing test; a failing one says what it saw.
  return spawn(systemPython, args, { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // The group may outlive its leader by a moment (worker processes): make sure.
  signalGroup('SIGKILL');
}

/**
 * Starts the cluster and waits until both workers have joined. `schedulerEnv`
 * configures the scheduler (e.g. DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES).
 */
export async function startDaskCluster(schedulerEnv: NodeJS.ProcessEnv = {}): Promise<DaskCluster> {
  const port = await freePort();
  const address = `tcp://127.0.0.1:${port}`;
  const scheduler = startGroup(['-m', 'distributed.cli.dask_scheduler', '--host', '127.0.0.1', '--port', String(port), '--no-dashboard'], schedulerEnv);
  const workers = startGroup(['-m', 'distributed.cli.dask_worker', address, '--nworkers', '2', '--nthreads', '1', '--no-dashboard'], {});
  const ask = async (args: string[]) => JSON.parse((await run(systemPython, [helper, ...args], { timeout: 90_000 })).stdout) as unknown;
  const cluster: DaskCluster = {
    address,
    workerPids: async () => (await ask(['workers', address, '2'])) as Record<string, number>,
    schedulerTasks: async () => (await ask(['tasks', address])) as number,
    stop: async () => {
      await stopGroup(workers);
      await stopGroup(scheduler);
    },
  };
  try {
    await cluster.workerPids();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
