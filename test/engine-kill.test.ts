// The kill -9 campaign: runs on a 20 M-row file killed at random moments, across
// strategies, worker counts and layouts, and at the two test pause points inside
// the commit. After each kill: h5py opens the file, /coords hashes the same, and
// /distances is absent or complete and correct; after the next h5blocks command
// no log, lock or scratch folder is left, and the same holds.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../src/shared/run';
import { copyFile, makeTempFolder, removeTempFolders, inodeLockLeftovers, runLeftoversBeside, scratchFoldersIn } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { CoordsChecker, type CoordsCheck } from './support/reference';

const execFileAsync = promisify(execFile);
const ROWS = 20_000_000;
const TRIALS = 50;
const SEED = Number(process.env.H5BLOCKS_KILL_SEED ?? 20261202);
const pausePreload = join(projectRoot, 'test/support/commit-pause.mjs');

/** A kill at a share of how long the same command takes unkilled on this machine, or at a pause point. */
type Moment = { kind: 'after'; share: number } | { kind: 'pause'; point: 'after-commit-record' | 'inside-copy' };

interface Trial {
  index: number;
  layout: 'contiguous' | 'chunked';
  strategy: Strategy;
  workers: number;
  moment: Moment;
}

/** mulberry32: the same moments on every machine for one seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function plan(): Trial[] {
  const next = random(SEED);
  const strategies: Strategy[] = ['inline', 'pool', 'shard'];
  return Array.from({ length: TRIALS }, (_, index) => {
    const strategy = strategies[index % 3];
    const workers = strategy === 'inline' ? 1 : 1 + Math.floor(next() * 3);
    const layout = index % 2 === 0 ? 'contiguous' : 'chunked';
    // Every fifth trial stops inside the commit; the rest die at a random moment
    // of the run: a share of its own duration, so a fast machine and a loaded
    // one both kill mid-way (fixed times let fast runs finish first).
    const moment: Moment = index % 5 === 4
      ? { kind: 'pause', point: index % 10 === 4 ? 'after-commit-record' : 'inside-copy' }
      : { kind: 'after', share: 0.05 + next() * 0.9 };
    return { index, layout, strategy, workers, moment };
  });
}

let folder: string;
let scratchRoot: string;
const inputs = new Map<Trial['layout'], string>();
let pristine: string;
let checker: CoordsChecker;
/** Milliseconds an unkilled `h5blocks run` takes, per layout and strategy (2 workers). */
const durations = new Map<string, number>();
const durationKey = (trial: Pick<Trial, 'layout' | 'strategy'>) => `${trial.layout}:${trial.strategy}`;
const killAfterMs = (trial: Trial & { moment: { kind: 'after' } }) => Math.round(trial.moment.share * durations.get(durationKey(trial))!);

beforeAll(async () => {
  folder = makeTempFolder('kill');
  scratchRoot = join(tmpdir(), `h5blocks-kill-tmp-${process.pid}`);
  mkdirSync(scratchRoot, { recursive: true });
  for (const layout of ['contiguous', 'chunked'] as const) {
    const path = join(folder, `sample_20m_${layout}.h5`);
    await execFileAsync(process.execPath, [cliScript, 'sample', path, '--rows', String(ROWS), ...(layout === 'chunked' ? ['--chunked'] : [])], { cwd: projectRoot });
    inputs.set(layout, path);
  }
  checker = new CoordsChecker();
  const first = await checker.check(inputs.get('contiguous')!);
  const second = await checker.check(inputs.get('chunked')!);
  expect(first.distances).toBeNull();
  expect(second.coordsSha256).toBe(first.coordsSha256);
  pristine = first.coordsSha256;
  for (const layout of ['contiguous', 'chunked'] as const) {
    for (const strategy of ['inline', 'pool', 'shard'] as const) {
      const file = copyFile(inputs.get(layout)!, folder, `timed_${layout}_${strategy}.h5`);
      const started = Date.now();
      await execFileAsync(process.execPath, [cliScript, 'run', file, '--dataset', '/coords', '--strategy', strategy, '--workers', '2', '--output', '/distances'], { cwd: projectRoot, env: { ...process.env, TMPDIR: scratchRoot } });
      durations.set(durationKey({ layout, strategy }), Date.now() - started);
      rmSync(file, { force: true });
    }
  }
}, 600_000);

afterAll(() => {
  checker?.close();
  removeTempFolders();
  rmSync(scratchRoot, { recursive: true, force: true });
});

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  paused: boolean;
}

async function runAndKill(file: string, trial: Trial): Promise<Outcome> {
  const marker = `${file}.paused`;
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: scratchRoot };
  if (trial.moment.kind === 'pause') Object.assign(env, { H5BLOCKS_TEST_PAUSE_AT: trial.moment.point, H5BLOCKS_TEST_PAUSE_MARKER: marker });
  const child = spawn(process.execPath, [
    ...(trial.moment.kind === 'pause' ? ['--import', pausePreload] : []),
    cliScript, 'run', file, '--dataset', '/coords', '--strategy', trial.strategy, '--workers', String(trial.workers), '--output', '/distances',
  ], { cwd: projectRoot, env, stdio: 'ignore' });
  const closed = new Promise<Omit<Outcome, 'paused'>>((resolveClose) => child.on('close', (status, signal) => resolveClose({ status, signal })));
  let paused = false;
  if (trial.moment.kind === 'after') {
    await Promise.race([new Promise((r) => setTimeout(r, killAfterMs(trial as Trial & { moment: { kind: 'after' } }))), closed]);
  } else {
    const deadline = Date.now() + 60_000;
    let ended = false;
    void closed.then(() => (ended = true));
    while (!ended && Date.now() < deadline && !existsSync(marker)) await new Promise((r) => setTimeout(r, 5));
    paused = existsSync(marker);
  }
  child.kill('SIGKILL');
  const outcome = await closed;
  rmSync(marker, { force: true });
  return { ...outcome, paused };
}

function expectIntact(check: CoordsCheck & { error?: string }, label: string): void {
  expect(check.error, `${label}: h5py must open the file`).toBeUndefined();
  expect(check.coordsSha256, `${label}: /coords`).toBe(pristine);
  if (check.distances !== null) {
    expect(check.distances, `${label}: /distances`).toMatchObject({ complete: 1, rows: ROWS, dtype: '<f4' });
    expect(check.distances.maxUlp, `${label}: /distances values`).toBeGreaterThanOrEqual(0);
    expect(check.distances.maxUlp, `${label}: /distances values`).toBeLessThanOrEqual(1);
  }
}

describe(`kill -9 of \`h5blocks run\` on ${ROWS / 1e6} M rows, ${TRIALS} trials (seed ${SEED})`, () => {
  it('every trial leaves a file h5py opens, /coords intact, /distances absent or complete and right; the next command leaves nothing behind', async () => {
    const outcomes: string[] = [];
    let committedAtPause = 0;
    for (const trial of plan()) {
      const label = `trial ${trial.index} (${trial.layout}, ${trial.strategy} × ${trial.workers}, ${trial.moment.kind === 'after' ? `killed after ${killAfterMs(trial as Trial & { moment: { kind: 'after' } })} ms of ${durations.get(durationKey(trial))}` : `killed at ${trial.moment.point}`})`;
      const file = copyFile(inputs.get(trial.layout)!, folder, `killed_${trial.index}.h5`);
      const outcome = await runAndKill(file, trial);

      if (trial.moment.kind === 'pause') expect(outcome.paused, `${label}: the run should reach its pause point`).toBe(true);
      const hadLog = runLeftoversBeside(file).some((name) => name.endsWith('.h5blocks-log'));
      // Inside the copy into place the file is mid-edit: that is the one moment recovery must come first.
      const torn = trial.moment.kind === 'pause' && trial.moment.point === 'inside-copy';
      if (!torn) expectIntact(await checker.check(file), `${label}, before recovery`);
      const before = statSync(file);

      // The next h5blocks command on the file recovers it first.
      await execFileAsync(process.execPath, [cliScript, 'tree', file], { cwd: projectRoot, env: { ...process.env, TMPDIR: scratchRoot } });
      expect(runLeftoversBeside(file), `${label}: nothing beside the file after the next command`).toEqual([]);
      expect(inodeLockLeftovers(file), `${label}: no lock of the file's inode after the next command`).toEqual([]);
      expect(scratchFoldersIn(scratchRoot), `${label}: no scratch folder after the next command`).toEqual([]);
      if (hadLog) {
        const after = await checker.check(file);
        expectIntact(after, `${label}, after recovery`);
        // Past the commit point the result stands: recovery finishes it.
        if (trial.moment.kind === 'pause') {
          expect(after.distances, `${label}: committed output after recovery`).not.toBeNull();
          committedAtPause++;
        }
      } else {
        const after = statSync(file);
        expect([after.ino, after.size, after.mtimeMs], `${label}: without a log, recovery leaves the file alone`).toEqual([before.ino, before.size, before.mtimeMs]);
      }
      outcomes.push(`${label}: ${outcome.signal ?? `exit ${outcome.status}`}${hadLog ? ', log recovered' : ''}`);
      rmSync(file, { force: true });
    }
    // The campaign really killed runs mid-way, at every kind of moment.
    expect(outcomes.filter((line) => line.includes('SIGKILL')).length).toBeGreaterThanOrEqual(TRIALS * 0.6);
    expect(outcomes.filter((line) => line.includes('log recovered')).length).toBeGreaterThanOrEqual(TRIALS * 0.3);
    expect(committedAtPause).toBe(TRIALS / 5);
    expect(readdirSync(folder).filter((name) => name.startsWith('killed_'))).toEqual([]);
  }, 1_200_000);
});
