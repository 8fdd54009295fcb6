// Two names of one file in different folders (hard links): runs through either
// name exclude each other, exactly one writes, and a run killed through one
// name is recovered by the next command through the other.
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { copyCorpus, inodeLockLeftovers, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { cliScript, projectRoot } from './support/paths';
import { describe as describeObjects, snapshot } from './support/reference';

const pausePreload = join(projectRoot, 'test/support/commit-pause.mjs');
let folder: string;

beforeAll(() => {
  folder = makeTempFolder('hard-links');
});

afterAll(() => removeTempFolders());

/** One file under two names, in folders `a` and `b`. */
function twoNames(name: string): { first: string; second: string } {
  const a = join(folder, `${name}-a`);
  const b = join(folder, `${name}-b`);
  mkdirSync(a);
  mkdirSync(b);
  const first = copyCorpus('coords_1k.h5', a, 'data.h5');
  const second = join(b, 'data.h5');
  linkSync(first, second);
  return { first, second };
}

describe('hard links in different folders', () => {
  it('two runs started together, one through each name: exactly one writes, the other is told the file is busy', async () => {
    const { first, second } = twoNames('race');
    // Whoever gets the lock holds it for 3 s at its commit point, so the two runs overlap.
    const hold = {
      nodeArgs: ['--import', pausePreload],
      env: { H5BLOCKS_TEST_PAUSE_AT: 'after-commit-record', H5BLOCKS_TEST_PAUSE_MARKER: join(folder, 'race.paused'), H5BLOCKS_TEST_PAUSE_MS: '3000' },
    };
    const results = await Promise.all([first, second].map((file, i) =>
      runCli(['run', file, '--dataset', '/coords', '--strategy', 'inline', '--output', `/out_${i}`], hold)));
    const winners = results.filter((r) => r.status === 0);
    expect(winners, results.map((r) => r.stderr).join('\n')).toHaveLength(1);
    const loser = results.find((r) => r.status !== 0)!;
    expect(loser.status).toBe(1);
    expect(loser.stderr.trim()).toMatch(/^h5blocks: data\.h5: is being written by process \d+; h5blocks runs one computation per file at a time, try again when it ends$/);
    const outputs = Object.keys(await snapshot(first)).filter((name) => name.startsWith('/out_'));
    expect(outputs).toHaveLength(1);
    expect(statSync(first).ino).toBe(statSync(second).ino);
    expect(runLeftoversBeside(first)).toEqual([]);
    expect(runLeftoversBeside(second)).toEqual([]);
    expect(inodeLockLeftovers(first)).toEqual([]);
  }, 60_000);

  it('a run through one name, then a run through the other: both write (the first released the lock of the file)', async () => {
    const { first, second } = twoNames('sequential');
    expect((await runCli(['run', first, '--dataset', '/coords', '--strategy', 'pool', '--output', '/one'])).status).toBe(0);
    expect((await runCli(['run', second, '--dataset', '/coords', '--strategy', 'inline', '--output', '/two'])).status).toBe(0);
    const objects = await describeObjects(first, ['/one', '/two']);
    expect(objects['/one']).toMatchObject({ kind: 'dataset', shape: [1000] });
    expect(objects['/two']).toMatchObject({ kind: 'dataset', shape: [1000] });
    expect(inodeLockLeftovers(first)).toEqual([]);
  }, 60_000);

  it('a run killed inside its copy into place through one name is finished by the next command through the other', async () => {
    const { first, second } = twoNames('killed');
    const marker = join(folder, 'killed.paused');
    const child = spawn(process.execPath, ['--import', pausePreload, cliScript, 'run', first, '--dataset', '/coords', '--strategy', 'inline'], {
      cwd: projectRoot, env: { ...process.env, H5BLOCKS_TEST_PAUSE_AT: 'inside-copy', H5BLOCKS_TEST_PAUSE_MARKER: marker }, stdio: 'ignore',
    });
    const closed = new Promise((resolveClose) => child.on('close', resolveClose));
    const deadline = Date.now() + 30_000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(marker)).toBe(true);
    child.kill('SIGKILL');
    await closed;
    rmSync(marker, { force: true });
    // The dead run's log and locks: beside the name it wrote through, and of the inode.
    expect(runLeftoversBeside(first).some((entry) => entry.endsWith('.h5blocks-log'))).toBe(true);
    expect(inodeLockLeftovers(first)).toHaveLength(1);

    const tree = await runCli(['tree', second]);
    expect(tree.status).toBe(0);
    expect(runLeftoversBeside(first)).toEqual([]);
    expect(runLeftoversBeside(second)).toEqual([]);
    expect(inodeLockLeftovers(first)).toEqual([]);
    // Past its commit point the run's result stands: recovery finished it.
    const objects = await describeObjects(second, ['/distances']);
    expect(objects['/distances']).toMatchObject({ kind: 'dataset', shape: [1000] });
    const hash = sha256File(first);
    expect((await runCli(['tree', first])).status).toBe(0);
    expect(sha256File(first)).toBe(hash);
  }, 60_000);
});
