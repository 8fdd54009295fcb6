// A Dask run's shard folder beside the input (`.NAME.RUNID.h5blocks-shards`)
// that outlived its run (the process killed, or cancelled tasks that kept
// writing on a busy machine) is removed by the next command on the file, which
// says so in one line; a folder a live run is using is never touched.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDaskShardFolder } from '../src/main/run/daskShardFolder';
import { lines, runCli } from './support/cli';
import { makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('dask-shard-folder');
});
afterAll(() => removeTempFolders());

describe('a Dask shard folder left beside the file', () => {
  it('is removed by the next command, which says so in one line', async () => {
    const file = join(folder, 'left.h5');
    expect((await runCli(['sample', file, '--rows', '1000'])).status).toBe(0);
    const stale = join(folder, '.left.h5.mxdoevib-77dc40.h5blocks-shards');
    mkdirSync(stale);
    writeFileSync(join(stale, 'shard-000003.bin'), Buffer.alloc(800));
    const halfRemoved = join(folder, '.left.h5.abcdef12-0000aa.h5blocks-shards.removing');
    mkdirSync(halfRemoved);
    // Another file's folder in the same place is not this file's to remove.
    const other = join(folder, '.other.h5.mxdoevib-77dc40.h5blocks-shards');
    mkdirSync(other);

    const next = await runCli(['tree', file]);
    expect(next.status).toBe(0);
    expect(runLeftoversBeside(file)).toEqual([]);
    expect(readdirSync(folder).sort()).toEqual(['.other.h5.mxdoevib-77dc40.h5blocks-shards', 'left.h5']);
    const said = lines(next.stderr);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^h5blocks: left\.h5: after an interrupted Dask run, removed the Dask shard folders it left \(/);
    expect(said[0]).toContain('".left.h5.mxdoevib-77dc40.h5blocks-shards"');
  }, 60_000);

  it('removal takes the folder out of the way first, so a late task cannot write into it again', async () => {
    const shards = join(folder, '.late.h5.run1.h5blocks-shards');
    mkdirSync(shards);
    writeFileSync(join(shards, 'shard-000000.bin'), Buffer.alloc(8));
    await removeDaskShardFolder(shards);
    expect(readdirSync(folder).filter((entry) => entry.startsWith('.late.h5.'))).toEqual([]);
    // A task that finishes now writes by path into a folder that is gone: it fails, leaving nothing.
    expect(() => writeFileSync(join(shards, 'shard-000001.bin.partial'), Buffer.alloc(8))).toThrow(/ENOENT/);
    expect(readdirSync(folder).filter((entry) => entry.startsWith('.late.h5.'))).toEqual([]);
  });
});
