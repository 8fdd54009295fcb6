// kill -9 at any moment: the file still opens, /coords is intact, and /distances
// is either absent or complete and correct, never half-written.
import { execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyFile, makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { checkCoordsFile, type CoordsCheck } from './support/reference';

const execFileAsync = promisify(execFile);
const ROWS = 4_000_000;

let folder: string;
let sample: string;
let pristine: CoordsCheck;

beforeAll(async () => {
  folder = makeTempFolder('kill');
  sample = join(folder, 'sample_4m.h5');
  await execFileAsync(process.execPath, [cliScript, 'sample', sample, '--rows', String(ROWS), '--chunked'], { cwd: projectRoot });
  pristine = await checkCoordsFile(sample);
  expect(pristine.distances).toBeNull();
});

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

interface Killed {
  file: string;
  signal: NodeJS.Signals | null;
  status: number | null;
}

/** Starts the CLI run on a fresh copy and SIGKILLs it when `when` resolves (or lets it finish). */
async function runAndKill(label: string, when: (file: string) => Promise<void> | 'never'): Promise<Killed> {
  const file = copyFile(sample, folder, `killed_${label}.h5`);
  const child = spawn(process.execPath, [cliScript, 'run', file, '--dataset', '/coords', '--strategy', 'pool', '--block-rows', '50000'], {
    cwd: projectRoot, stdio: 'ignore',
  });
  const closed = new Promise<Omit<Killed, 'file'>>((resolveClose) => child.on('close', (status, signal) => resolveClose({ status, signal })));
  const moment = when(file);
  if (moment !== 'never') {
    await Promise.race([moment, closed]);
    child.kill('SIGKILL');
  }
  return { file, ...(await closed) };
}

const after = (ms: number) => () => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves `delayMs` after the run's staged copy appears beside the file: the kill lands while the output is being written. */
function whileStaged(delayMs: number) {
  return async (file: string) => {
    const name = basename(file);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (readdirSync(dirname(file)).some((entry) => entry.startsWith(`.${name}.`) && entry.endsWith('.h5blocks-staged'))) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, delayMs));
  };
}

/** The invariant after any kill: readable, /coords intact, /distances absent or complete and right. */
async function expectIntact(file: string): Promise<CoordsCheck> {
  const check = await checkCoordsFile(file);
  expect(check.coordsSha256).toBe(pristine.coordsSha256);
  if (check.distances !== null) {
    expect(check.distances).toEqual({ complete: 1, rows: ROWS, dtype: '<f4', maxUlp: expect.any(Number) });
    expect(check.distances.maxUlp).toBeLessThanOrEqual(1);
  }
  return check;
}

/** A later run recovers: it takes over the dead process's lock, drops its abandoned staged copy, and completes. */
async function expectRecovers(file: string): Promise<void> {
  const result = await runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2, output: '/after_kill' });
  expect(result.rows).toBe(ROWS);
  expect(runLeftoversBeside(file)).toEqual([]);
  await expectIntact(file);
}

describe('SIGKILL of `h5blocks run --strategy pool` on a 4 M-row chunked file', () => {
  it.each([
    { label: '50ms', when: after(50) },
    { label: '200ms', when: after(200) },
    { label: '600ms', when: after(600) },
    { label: 'staged+150ms', when: whileStaged(150) },
  ])('killed at $label: file opens, /coords intact, /distances absent or complete; a later run recovers', async ({ label, when }) => {
    const killed = await runAndKill(label, when);
    const check = await expectIntact(killed.file);
    // A staged copy left behind means the kill came before the atomic rename: the file is the untouched original.
    if (runLeftoversBeside(killed.file).some((name) => name.endsWith('.h5blocks-staged'))) expect(check.distances).toBeNull();
    await expectRecovers(killed.file);
  });

  it('killed right as the output is being written: /distances absent, the original untouched, the abandoned copy cleaned up by the next run', async () => {
    const killed = await runAndKill('mid-write', whileStaged(0));
    expect(killed.signal).toBe('SIGKILL');
    expect(runLeftoversBeside(killed.file).some((name) => name.endsWith('.h5blocks-staged'))).toBe(true);
    const check = await expectIntact(killed.file);
    expect(check.distances).toBeNull();
    await expectRecovers(killed.file);
  });

  it('after it finished: /distances is complete and correct, nothing left beside the file', async () => {
    const finished = await runAndKill('finished', () => 'never');
    expect(finished).toMatchObject({ status: 0, signal: null });
    const check = await expectIntact(finished.file);
    expect(check.distances).not.toBeNull();
    expect(runLeftoversBeside(finished.file)).toEqual([]);
  });
});
