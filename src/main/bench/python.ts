import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { firstLine } from '@shared/errors';
import { projectFile } from './projectFiles';

const execFileAsync = promisify(execFile);

export interface PythonWithH5py {
  executable: string;
  h5pyVersion: string;
  numpyVersion: string;
}

// Debian's interpreter first: the `python3` first on PATH may be a pyenv
// without h5py, and the baselines need libhdf5 as users have it.
const CANDIDATES = ['/usr/bin/python3', 'python3'];

/** Names the one interpreter to use instead (a conda or venv Python, or a missing one to bench without h5py). */
export const PYTHON_ENV = 'H5BLOCKS_PYTHON';

/** The first Python that can `import h5py, numpy`, or undefined when none can. */
export async function findPythonWithH5py(): Promise<PythonWithH5py | undefined> {
  const chosen = process.env[PYTHON_ENV]?.trim();
  for (const executable of chosen ? [chosen] : CANDIDATES) {
    try {
      const { stdout } = await execFileAsync(executable, ['-c', 'import h5py, numpy; print(h5py.__version__, numpy.__version__)'], { timeout: 60_000 });
      const [h5pyVersion, numpyVersion] = stdout.trim().split(/\s+/);
      if (h5pyVersion && numpyVersion) return { executable, h5pyVersion, numpyVersion };
    } catch {
      // Missing, or without h5py/numpy: try the next one.
    }
  }
  return undefined;
}

/**
 * Runs one of the scripts in `bench/` and returns the JSON object it prints
 * last. Cancelling the signal interrupts the script with SIGINT, as Ctrl-C
 * would: Python unwinds (KeyboardInterrupt), so its pool is terminated, its
 * files closed and its shard folder removed before it exits.
 */
export async function runPythonScript<T>(python: PythonWithH5py, script: string, args: string[], signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let stdout: string;
  try {
    // -B: importing baseline_common must not leave __pycache__ in the project tree.
    ({ stdout } = await execFileAsync(python.executable, ['-B', projectFile(`bench/${script}`), ...args], {
      signal, killSignal: 'SIGINT', maxBuffer: 16 * 2 ** 20,
    }));
  } catch (error) {
    signal.throwIfAborted();
    const stderr = (error as { stderr?: string }).stderr?.trim();
    // Python's last line is the exception itself; the traceback above it is noise here.
    const reason = stderr ? stderr.split('\n').at(-1) ?? stderr : firstLine(String((error as Error).message ?? error));
    throw new Error(`bench/${script} failed: ${reason}`);
  }
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`bench/${script} printed no JSON result (last line: ${JSON.stringify(last.slice(0, 200))})`);
  }
}
