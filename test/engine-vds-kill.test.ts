// kill -9 during a vds run (overwriting an earlier vds output) and during a
// materialize, at random moments and at the pause points inside the commit.
// After each kill and the next command's recovery: /distances is either the
// previous output or the new one, complete and right, and no virtual dataset
// points at a missing shard; after the next run no orphan shard is left.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { checkVds, type VdsCheck } from './support/vds';

const execFileAsync = promisify(execFile);
const ROWS = 1_000_000;
const pausePreload = join(projectRoot, 'test/support/commit-pause.mjs');

/** A kill at a share of how long the same command takes unkilled on this machine, or at a pause point. */
type Moment = { kind: 'after'; share: number } | { kind: 'pause'; point: 'after-commit-record' | 'inside-copy' };
interface Trial { index: number; command: 'run' | 'materialize'; moment: Moment }

// Moments spread over start-up, shard writing and the commit, as shares of the
// command's own duration so that a fast machine and a loaded one both kill
// mid-way; the last share lets it finish. 20 trials.
const RUN_SHARES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.5];
const MATERIALIZE_SHARES = [0.15, 0.3, 0.5, 0.7, 0.85, 1.5];
const TRIALS: Trial[] = [
  ...RUN_SHARES.map((share) => ({ command: 'run' as const, moment: { kind: 'after' as const, share } })),
  { command: 'run' as const, moment: { kind: 'pause' as const, point: 'after-commit-record' as const } },
  { command: 'run' as const, moment: { kind: 'pause' as const, point: 'inside-copy' as const } },
  ...MATERIALIZE_SHARES.map((share) => ({ command: 'materialize' as const, moment: { kind: 'after' as const, share } })),
  { command: 'materialize' as const, moment: { kind: 'pause' as const, point: 'after-commit-record' as const } },
  { command: 'materialize' as const, moment: { kind: 'pause' as const, point: 'inside-copy' as const } },
].map((trial, index) => ({ ...trial, index }));

let folder: string;
let base: string;
let expectedSha: string;
/** How long each command takes unkilled here, in ms. */
const durations = { run: 0, materialize: 0 };

const cli = (args: string[]) => execFileAsync(process.execPath, [cliScript, ...args], { cwd: projectRoot });
const shardsOf = (file: string) => {
  const shardFolder = join(file.replace(/\.h5$/, '.h5blocks'), 'distances');
  return existsSync(shardFolder) ? readdirSync(shardFolder).map((name) => `${file.replace(/.*\//, '').replace(/\.h5$/, '.h5blocks')}/distances/${name}`).sort() : [];
};

beforeAll(async () => {
  folder = makeTempFolder('vds-kill');
  base = join(folder, 'base.h5');
  await cli(['sample', base, '--rows', String(ROWS)]);
  const { stdout } = await cli(['run', base, '--dataset', '/coords', '--strategy', 'vds', '--workers', '2', '--block-rows', '25000', '--json']);
  expectedSha = (JSON.parse(stdout) as { outputSha256: string }).outputSha256;
  const where = join(folder, 'timed');
  mkdirSync(where);
  const file = copyFile(base, where);
  cpSync(join(folder, 'base.h5blocks'), join(where, 'base.h5blocks'), { recursive: true });
  for (const command of ['run', 'materialize'] as const) {
    const started = Date.now();
    await finishedUnkilled(file, command);
    durations[command] = Date.now() - started;
  }
  rmSync(where, { recursive: true, force: true });
}, 600_000);
afterAll(() => removeTempFolders());

const commandArgs = (file: string, command: Trial['command']) => command === 'run'
  ? ['run', file, '--dataset', '/coords', '--strategy', 'vds', '--workers', '2', '--block-rows', '10000', '--overwrite']
  : ['materialize', file, '--dataset', '/distances'];

async function finishedUnkilled(file: string, command: Trial['command']): Promise<void> {
  await cli(commandArgs(file, command));
}

const killAfterMs = (trial: Trial & { moment: { kind: 'after' } }) => Math.round(trial.moment.share * durations[trial.command]);

async function runAndKill(file: string, trial: Trial): Promise<{ signal: NodeJS.Signals | null; paused: boolean; ms: number }> {
  const started = Date.now();
  const marker = `${file}.paused`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (trial.moment.kind === 'pause') Object.assign(env, { H5BLOCKS_TEST_PAUSE_AT: trial.moment.point, H5BLOCKS_TEST_PAUSE_MARKER: marker });
  const args = commandArgs(file, trial.command);
  const child = spawn(process.execPath, [...(trial.moment.kind === 'pause' ? ['--import', pausePreload] : []), cliScript, ...args], { cwd: projectRoot, env, stdio: 'ignore' });
  const closed = new Promise<NodeJS.Signals | null>((resolveClose) => child.on('close', (_status, signal) => resolveClose(signal)));
  let paused = false;
  if (trial.moment.kind === 'after') {
    await Promise.race([new Promise((r) => setTimeout(r, killAfterMs(trial as Trial & { moment: { kind: 'after' } }))), closed]);
  } else {
    let ended = false;
    void closed.then(() => (ended = true));
    const deadline = Date.now() + 60_000;
    while (!ended && Date.now() < deadline && !existsSync(marker)) await new Promise((r) => setTimeout(r, 5));
    paused = existsSync(marker);
  }
  child.kill('SIGKILL');
  const signal = await closed;
  rmSync(marker, { force: true });
  return { signal, paused, ms: Date.now() - started };
}

function expectSound(check: VdsCheck, label: string): void {
  expect(check.error, `${label}: h5py opens the file and reads /distances`).toBeUndefined();
  expect(check.exists, `${label}: /distances is there`).toBe(true);
  expect(check.missing, `${label}: no source of /distances is missing`).toEqual([]);
  expect(check.sha256, `${label}: /distances holds the right values`).toBe(expectedSha);
  expect(check.complete, `${label}: /distances is complete`).toBe(1);
}

describe(`kill -9 during vds runs and materialize (${ROWS / 1e6} M rows, ${TRIALS.length} trials)`, () => {
  it('the previous state or the new one, never a virtual dataset with missing shards; no orphan shard after the next run', async () => {
    const outcomes: string[] = [];
    for (const trial of TRIALS) {
      const moment = trial.moment.kind === 'after'
        ? `killed after ${killAfterMs(trial as Trial & { moment: { kind: 'after' } })} ms of ${durations[trial.command]}`
        : `killed at ${trial.moment.point}`;
      let label = `trial ${trial.index} (${trial.command}, ${moment})`;
      // The same name in a folder of its own: the mappings name the shard folder after the file.
      const where = join(folder, `killed_${trial.index}`);
      let file: string;
      let before: string[];
      let outcome: Awaited<ReturnType<typeof runAndKill>>;
      for (let attempt = 1; ; attempt++) {
        mkdirSync(where);
        file = copyFile(base, where);
        cpSync(join(folder, 'base.h5blocks'), join(where, 'base.h5blocks'), { recursive: true });
        before = shardsOf(file);
        outcome = await runAndKill(file, trial);
        // A kill meant to land mid-way found the command finished (the machine got
        // faster since it was timed): time it again from this run and try once more.
        const early = trial.moment.kind === 'after' && trial.moment.share < 1 && outcome.signal === null;
        if (!early || attempt === 3) break;
        durations[trial.command] = outcome.ms;
        label = `trial ${trial.index} (${trial.command}, killed after ${killAfterMs(trial as Trial & { moment: { kind: 'after' } })} ms of ${outcome.ms}, attempt ${attempt + 1})`;
        rmSync(where, { recursive: true, force: true });
      }
      if (trial.moment.kind === 'pause') expect(outcome.paused, `${label}: reaches its pause point`).toBe(true);

      // The next command on the file finishes or rolls back what the kill interrupted.
      await cli(['tree', file]);
      expect(runLeftoversBeside(file), `${label}: nothing beside the file after recovery`).toEqual([]);
      const check = await checkVds(file, '/distances');
      expectSound(check, label);
      const state = check.is_virtual ? (check.sources!.join() === before.join() ? 'previous vds' : 'new vds') : 'materialized';
      if (trial.moment.kind === 'pause') expect(state, `${label}: past the commit point the new state stands`).not.toBe('previous vds');

      // The next run (another output) removes whatever shards no dataset uses.
      await cli(['run', file, '--dataset', '/coords', '--strategy', 'inline', '--output', '/other']);
      const after = await checkVds(file, '/distances');
      expectSound(after, `${label}, after the next run`);
      expect(shardsOf(file), `${label}: exactly the shards /distances uses remain`).toEqual(after.is_virtual ? after.sources : []);
      outcomes.push(`${label}: ${outcome.signal ?? 'finished'}, ${state}`);
      rmSync(where, { recursive: true, force: true });
    }
    // Kills really landed mid-way, and both outcomes happened.
    expect(outcomes.filter((line) => line.includes('SIGKILL')).length, outcomes.join('\n')).toBeGreaterThanOrEqual(12);
    expect(outcomes.some((line) => line.includes('previous vds')), outcomes.join('\n')).toBe(true);
    expect(outcomes.some((line) => line.includes('new vds')), outcomes.join('\n')).toBe(true);
    expect(outcomes.some((line) => line.includes('materialized')), outcomes.join('\n')).toBe(true);
  }, 1_200_000);
});
