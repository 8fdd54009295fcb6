// After kill -9 of a vds run, no empty shard folder stays: the next command
// that recovers the file removes it and says so in its recovery line (issue 23).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runCli } from './support/cli';
import { makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';
import { cliScript, projectRoot } from './support/paths';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('vds-empty-folder');
});
afterAll(() => removeTempFolders());

/** Folders under `root` (itself included) that hold nothing. */
function emptyFoldersUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  const entries = readdirSync(root);
  if (entries.length === 0) return [root];
  return entries.map((name) => join(root, name)).filter((path) => statSync(path).isDirectory()).flatMap(emptyFoldersUnder);
}

describe('an empty shard folder left behind', () => {
  it('is removed by the next run, which says so in one line', async () => {
    const file = join(folder, 'left.h5');
    expect((await runCli(['sample', file, '--rows', '1000'])).status).toBe(0);
    mkdirSync(join(folder, 'left.h5blocks', 'distances'), { recursive: true });
    const result = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'inline', '--output', '/norms']);
    expect(result.status).toBe(0);
    expect(existsSync(join(folder, 'left.h5blocks'))).toBe(false);
    const said = lines(result.stderr);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^h5blocks: left\.h5: .*removed the empty shard folders it left \("left\.h5blocks\/distances", "left\.h5blocks"\)$/);
  }, 60_000);

  it('after kill -9 of a vds run as its shard folder appears, the next command leaves no empty folder and says what it recovered', async () => {
    const file = join(folder, 'killed.h5');
    expect((await runCli(['sample', file, '--rows', '1000000'])).status).toBe(0);
    const shardFolder = join(folder, 'killed.h5blocks', 'distances');
    const child = spawn(process.execPath, [cliScript, 'run', file, '--dataset', '/coords', '--strategy', 'vds', '--workers', '2', '--block-rows', '25000'], {
      cwd: projectRoot, stdio: 'ignore',
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    const watching = setInterval(() => {
      if (existsSync(shardFolder)) child.kill('SIGKILL');
    }, 2);
    await closed;
    clearInterval(watching);
    expect(existsSync(shardFolder)).toBe(true);

    const next = await runCli(['tree', file]);
    expect(next.status).toBe(0);
    expect(lines(next.stderr)).toHaveLength(1);
    expect(next.stderr).toMatch(/^h5blocks: killed\.h5: rolled back an interrupted run \(.*\): the file is as it was before that run/);
    expect(emptyFoldersUnder(join(folder, 'killed.h5blocks'))).toEqual([]);
    if (!existsSync(shardFolder)) expect(next.stderr).toMatch(/removed the empty shard folders it left \("killed\.h5blocks\/distances", "killed\.h5blocks"\)/);
    expect(runLeftoversBeside(file)).toEqual([]);

    // And through later runs: the next vds run leaves only its own shards.
    expect((await runCli(['run', file, '--dataset', '/coords', '--strategy', 'vds', '--workers', '2', '--block-rows', '250000'])).status).toBe(0);
    expect(emptyFoldersUnder(join(folder, 'killed.h5blocks'))).toEqual([]);
    expect(readdirSync(shardFolder)).toHaveLength(4);
  }, 180_000);
});
