import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { firstLine } from '@shared/errors';
import type { RunResult } from '@shared/run';
import { ActiveRuns } from '../app/activeRuns';
import { projectFile } from './projectFiles';
import type { PythonWithH5py } from './python';
import type { BenchInput } from './results';
import type { ScratchFolder } from './scratchFolder';

const execFileAsync = promisify(execFile);

/**
 * `h5blocks bench`'s headline: what a user gets. Each contender is a whole
 * process started from a shell, with its default settings, on a fresh copy of
 * the input (made before the clock starts), timed by `/usr/bin/time` (wall,
 * CPU, peak resident memory). Contenders alternate (A B C … A B C …) so a drift
 * in the machine's load touches them alike, with `sync` before every run so no
 * run pays for the previous one's dirty pages. Medians with their min–max spread.
 */

export interface Contender {
  id: string;
  label: string;
  /** Python contenders need h5py (and dask for dask.array). */
  needs?: 'python' | 'dask';
  argv(file: string, python: PythonWithH5py | undefined): string[];
}

export const CONTENDERS: Contender[] = [
  { id: 'h5blocks', label: 'h5blocks run (defaults)', argv: (file) => [process.execPath, projectFile('bin/h5blocks.js'), 'run', file, '--dataset', '/coords'] },
  { id: 'h5py-script', label: 'h5py + numpy script (6 lines, 1 Mi-row blocks)', needs: 'python', argv: (file, python) => [python!.executable, '-B', projectFile('bench/users/h5py_script.py'), file] },
  { id: 'dask-array', label: 'dask.array, 2 threads', needs: 'dask', argv: (file, python) => [python!.executable, '-B', projectFile('bench/users/dask_array.py'), file] },
  { id: 'mp-pool', label: 'multiprocessing pool recipe (seed)', needs: 'python', argv: (file, python) => [python!.executable, '-B', projectFile('bench/mp_pool.py'), file, '--in-place', ...recipeArgs()] },
  { id: 'mp-shard', label: 'multiprocessing shard recipe (seed)', needs: 'python', argv: (file, python) => [python!.executable, '-B', projectFile('bench/mp_shard.py'), file, '--in-place', ...recipeArgs()] },
];

/** The recipes as the seed gives them: one process per core, 1 Mi-row blocks. */
function recipeArgs(): string[] {
  return ['--workers', String(availableParallelism()), '--block-rows', String(2 ** 20)];
}

export interface ProcessRun {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  sha256: string;
}

export interface UsersRow {
  input: string;
  inputLabel: string;
  contender: string;
  label: string;
  runs: number;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  medianCpuSeconds: number;
  medianPeakRssMb: number;
  maxPeakRssMb: number;
  /** The h5py script's median ÷ this median: above 1 is faster than the script. */
  speedupOverScript: number | null;
  /** This peak memory ÷ the script's. */
  memoryOverScript: number | null;
  /** Every run of every contender on this input wrote the same values. */
  sha256: string;
}

export interface PhysicalLimit {
  input: string;
  inputLabel: string;
  /** Reading the input's bytes from the page cache into one reused buffer. */
  readSeconds: number;
  /** Writing the output's bytes (4 per row) to a new file from one buffer, then fdatasync. */
  writeSyncSeconds: number;
  limitSeconds: number;
  best: string;
  bestSeconds: number;
  /** The best contender's median ÷ the limit. */
  timesLimit: number;
}

export interface WarmRow {
  input: string;
  inputLabel: string;
  /** The service's first run (its threads and h5wasm starting) and the median of the runs after it. */
  firstSeconds: number;
  runs: number;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  strategy: string;
  scriptMedianSeconds: number | null;
  speedupOverScript: number | null;
}

export interface UsersCase {
  pairs: number;
  rows: UsersRow[];
  limits: PhysicalLimit[];
  warm: WarmRow[];
  agreement: { input: string; agreed: boolean; digests: string[] }[];
}

export interface UsersOptions {
  pairs: number;
  python: PythonWithH5py | undefined;
  hasDask: boolean;
  scratch: ScratchFolder;
  signal: AbortSignal;
  log(line: string): void;
  /** Drop the page cache before each run (needs root; `--only big`). */
  dropCaches?: boolean;
  /** Runs write into the input itself, which this puts back after each (the big case: too large to copy per run). */
  inPlace?: { restore(): void };
  /** Only these contenders (by id); default all that can run here. */
  only?: string[];
}

export async function daskAvailable(python: PythonWithH5py | undefined): Promise<boolean> {
  if (!python) return false;
  try {
    await execFileAsync(python.executable, ['-c', 'import dask.array'], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** Alternating whole-process runs of every available contender on each input, with the physical limit beside. */
export async function measureUsers(inputs: BenchInput[], options: UsersOptions): Promise<UsersCase> {
  const contenders = CONTENDERS
    .filter((c) => !options.only || options.only.includes(c.id))
    .filter((c) => !c.needs || (c.needs === 'python' ? options.python : options.python && options.hasDask));
  const rows: UsersRow[] = [];
  const limits: PhysicalLimit[] = [];
  const agreement: UsersCase['agreement'] = [];
  for (const input of inputs) {
    const runs = new Map<string, ProcessRun[]>(contenders.map((c) => [c.id, []]));
    for (let pair = 1; pair <= options.pairs; pair++) {
      for (const contender of contenders) {
        const run = await timeProcess(contender, input, options);
        runs.get(contender.id)!.push(run);
        options.log(`users | ${input.label} | ${contender.label}: ${run.wallSeconds.toFixed(3)} s, ${run.cpuSeconds.toFixed(2)} s CPU, peak ${run.peakRssMb.toFixed(0)} MB (round ${pair} of ${options.pairs})`);
      }
    }
    const digests = [...new Set([...runs.values()].flat().map((r) => r.sha256))];
    agreement.push({ input: input.id, agreed: digests.length === 1, digests });
    const script = runs.get('h5py-script');
    const scriptMedian = script && script.length > 0 ? median(script.map((r) => r.wallSeconds)) : null;
    const scriptPeak = script && script.length > 0 ? median(script.map((r) => r.peakRssMb)) : null;
    for (const contender of contenders) {
      const of = runs.get(contender.id)!;
      const seconds = of.map((r) => r.wallSeconds);
      const m = median(seconds);
      const peak = median(of.map((r) => r.peakRssMb));
      rows.push({
        input: input.id, inputLabel: input.label, contender: contender.id, label: contender.label, runs: of.length,
        medianSeconds: m, minSeconds: Math.min(...seconds), maxSeconds: Math.max(...seconds),
        medianCpuSeconds: median(of.map((r) => r.cpuSeconds)), medianPeakRssMb: peak, maxPeakRssMb: Math.max(...of.map((r) => r.peakRssMb)),
        speedupOverScript: scriptMedian === null ? null : scriptMedian / m,
        memoryOverScript: scriptPeak === null ? null : peak / scriptPeak,
        sha256: digests.length === 1 ? digests[0] : 'DISAGREE',
      });
    }
    const ours = rows.filter((r) => r.input === input.id);
    const best = ours.reduce((a, b) => (b.medianSeconds < a.medianSeconds ? b : a));
    if (options.dropCaches) await dropCaches();
    // A big input does not fit the page cache: its limit is reading it from the disk.
    const limit = physicalLimit(input, options.scratch, !options.inPlace);
    limits.push({ ...limit, best: best.label, bestSeconds: best.medianSeconds, timesLimit: best.medianSeconds / limit.limitSeconds });
  }
  return { pairs: options.pairs, rows, limits, warm: [], agreement };
}

/**
 * The app's case: runs in one long-lived service (the app's own run path,
 * ActiveRuns: a new I/O thread per run, warm worker pools, the compiled
 * h5wasm shared), the first and then `pairs` more, each on a fresh copy.
 */
export async function measureWarm(inputs: BenchInput[], usersRows: UsersRow[], options: UsersOptions): Promise<WarmRow[]> {
  const runs = new ActiveRuns();
  try {
    return await warmRows(runs, inputs, usersRows, options);
  } finally {
    // The service keeps a spare I/O thread ready for the next run: without this the bench would never exit.
    await runs.cancelAll();
  }
}

async function warmRows(runs: ActiveRuns, inputs: BenchInput[], usersRows: UsersRow[], options: UsersOptions): Promise<WarmRow[]> {
  const rows: WarmRow[] = [];
  for (const input of inputs) {
    const seconds: number[] = [];
    let strategy = '';
    for (let run = 0; run <= options.pairs; run++) {
      options.signal.throwIfAborted();
      const name = `${input.id}.warm.h5`;
      const copy = options.scratch.copy(input.path, name);
      try {
        await sync();
        const result = await new Promise<RunResult>((resolve, reject) => {
          runs.start({ file: copy, dataset: '/coords' }, { onProgress: () => undefined, onFinished: resolve, onFailed: (_id, error) => reject(error) });
        });
        strategy = `${result.strategy}, ${result.workers} worker(s)`;
        seconds.push(result.wallMs / 1000);
        options.log(`warm | ${input.label} | run ${run + 1}: ${(result.wallMs / 1000).toFixed(3)} s (${strategy})`);
      } finally {
        options.scratch.discard(name);
      }
    }
    const later = seconds.slice(1);
    const m = median(later);
    const script = usersRows.find((r) => r.input === input.id && r.contender === 'h5py-script');
    rows.push({
      input: input.id, inputLabel: input.label, firstSeconds: seconds[0], runs: later.length, medianSeconds: m,
      minSeconds: Math.min(...later), maxSeconds: Math.max(...later), strategy,
      scriptMedianSeconds: script?.medianSeconds ?? null, speedupOverScript: script ? script.medianSeconds / m : null,
    });
  }
  return rows;
}

async function timeProcess(contender: Contender, input: BenchInput, options: UsersOptions): Promise<ProcessRun> {
  options.signal.throwIfAborted();
  const name = `${input.id}.${contender.id}.h5`;
  const copy = options.inPlace ? input.path : options.scratch.copy(input.path, name);
  const timing = options.scratch.file(`${name}.time`);
  try {
    if (options.dropCaches) {
      await sync();
      await dropCaches();
    }
    const argv = contender.argv(copy, options.python);
    const { stdout, ...run } = await timeCommand(argv, timing, options.signal, `${contender.label} on ${input.label}`);
    const printed = /output sha256 ([0-9a-f]{64})/.exec(stdout)?.[1];
    const sha256 = printed ?? await digestOf(copy, options.python);
    return { ...run, sha256 };
  } finally {
    if (options.inPlace) options.inPlace.restore();
    else options.scratch.discard(name);
    options.scratch.discard(`${name}.time`);
  }
}

/**
 * One whole process as a shell runs it, after a `sync` (so it never pays for an
 * earlier run's dirty pages), timed by GNU time: wall, CPU, peak resident memory.
 */
export async function timeCommand(argv: string[], timingFile: string, signal: AbortSignal, what: string): Promise<Omit<ProcessRun, 'sha256'> & { stdout: string }> {
  await sync();
  const { stdout } = await runToEnd('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timingFile, ...argv], signal, what);
  const [wall, user, system, peakKb] = readFileSync(timingFile, 'utf8').trim().split('\n').at(-1)!.split(/\s+/).map(Number);
  return { wallSeconds: wall, cpuSeconds: user + system, peakRssMb: (peakKb * 1024) / 1e6, stdout };
}

async function digestOf(file: string, python: PythonWithH5py | undefined): Promise<string> {
  if (!python) return 'unknown';
  const { stdout } = await execFileAsync(python.executable, ['-B', projectFile('bench/users/digest.py'), file], { maxBuffer: 2 ** 20 });
  return stdout.trim();
}

function runToEnd(command: string, args: string[], signal: AbortSignal, what: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { signal, killSignal: 'SIGINT', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', (error) => reject(signal.aborted ? signal.reason : error));
    child.once('close', (code) => {
      if (signal.aborted) reject(signal.reason);
      else if (code === 0) resolve({ stdout });
      else reject(new Error(`${what} failed: ${firstLine(stderr.trim().split('\n').filter((l) => !/^Command exited/.test(l)).at(-1) ?? `exit code ${code}`)}`));
    });
  });
}

/** Flushes every dirty page, so a run never pays for the previous one's output. */
export async function sync(): Promise<void> {
  try {
    await execFileAsync('sync', []);
  } catch {
    // No `sync` binary: the runs simply share the kernel's write-back.
  }
}

async function dropCaches(): Promise<void> {
  try {
    await execFileAsync('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches']);
  } catch {
    // Not root: the note says the page cache was not dropped.
  }
}

/** Whether this process may drop the page cache (root on Linux). */
export function canDropCaches(): boolean {
  try {
    const fd = openSync('/proc/sys/vm/drop_caches', 'w');
    closeSync(fd);
    return true;
  } catch {
    return false;
  }
}

const LIMIT_BUFFER_BYTES = 16 * 2 ** 20;

/**
 * What the machine itself allows for this input: reading its bytes from the
 * page cache (read once to bring them in, then timed) into one reused buffer,
 * plus writing 4 bytes per row to a new file from one buffer and syncing it.
 * No engine can finish faster than about this (it could overlap the two).
 */
export function physicalLimit(input: BenchInput, scratch: ScratchFolder, fromCache = true): Omit<PhysicalLimit, 'best' | 'bestSeconds' | 'timesLimit'> {
  const buffer = new Uint8Array(LIMIT_BUFFER_BYTES);
  const readAll = () => {
    const fd = openSync(input.path, 'r');
    try {
      while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  };
  if (fromCache) readAll();
  let started = performance.now();
  readAll();
  const readSeconds = (performance.now() - started) / 1000;
  const outputPath = scratch.file(`${input.id}.limit-output`);
  started = performance.now();
  const fd = openSync(outputPath, 'wx');
  try {
    for (let left = input.rows * 4; left > 0; left -= LIMIT_BUFFER_BYTES) writeSync(fd, buffer, 0, Math.min(left, LIMIT_BUFFER_BYTES));
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const writeSyncSeconds = (performance.now() - started) / 1000;
  if (existsSync(outputPath)) unlinkSync(outputPath);
  return { input: input.id, inputLabel: input.label, readSeconds, writeSyncSeconds, limitSeconds: readSeconds + writeSyncSeconds };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
