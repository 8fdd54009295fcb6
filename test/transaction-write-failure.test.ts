// A write the file system refuses half-way (here a file-size limit, which cuts a
// write short exactly as a filling disk does) leaves the file byte-identical,
// length included, and nothing beside it, whatever the strategy.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliScript, projectRoot, systemPython } from './support/paths';
import { makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';

const run = promisify(execFile);
const PRLIMIT = '/usr/bin/prlimit';

let folder: string;
let original: string;
beforeAll(async () => {
  folder = makeTempFolder('write-failure');
  original = join(folder, 'original.h5');
  const script = 'import h5py, numpy as np, sys\nwith h5py.File(sys.argv[1], "w") as f:\n    f.create_dataset("coords", data=np.random.default_rng(7).random((400000, 2)).astype("f4"))';
  await run(systemPython, ['-c', script, original]);
});
afterAll(() => removeTempFolders());

describe.skipIf(!existsSync(PRLIMIT))('a write cut short by the file system', () => {
  it.each(['inline', 'pool', 'shard'])('%s: one line naming the file, and the file as it was, length included', async (strategy) => {
    const file = join(folder, `${strategy}.h5`);
    await run('cp', [original, file]);
    const before = readFileSync(file);
    // Room for 600 KB of the 1.6 MB (float32) result: the write that crosses it is cut short, then refused.
    const limit = String(statSync(file).size + 600_000);
    const result = await run(PRLIMIT, [`--fsize=${limit}`, process.execPath, cliScript, 'run', file, '--dataset', '/coords', '--strategy', strategy, '--block-rows', '50000'], { cwd: projectRoot })
      .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^h5blocks: ${strategy}\\.h5: .*the file is as it was`));
    const after = readFileSync(file);
    expect(after.length).toBe(before.length);
    expect(after.equals(before)).toBe(true);
    expect(runLeftoversBeside(file)).toEqual([]);
  });
});
