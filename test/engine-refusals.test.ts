// Inputs the engine must refuse: with a code a program can branch on and one line
// a person can read, naming the file, the object and the reason, and leaving the
// file exactly as it was.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeQuietly, openHdf5 } from '../src/main/hdf5/files';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { H5BlocksError } from '../src/shared/errors';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { projectRoot } from './support/paths';

const execFileAsync = promisify(execFile);
const INVALID_FILES = ['not_hdf5.h5', 'zero_bytes.h5', 'truncated.h5', 'bad_superblock.h5'];

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('refusals');
});
afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

/** The rejection of `attempt`, which must be an H5BlocksError. */
async function refusal(attempt: Promise<unknown>): Promise<H5BlocksError> {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect(error, 'the attempt should have been refused').toBeInstanceOf(H5BlocksError);
  return error as H5BlocksError;
}

function expectOneLine(message: string, ...mentions: string[]): void {
  expect(message).not.toMatch(/\n/);
  expect(message).not.toMatch(/HDF5-DIAG|\s+at\s+\S+\s+\(/);
  for (const mention of mentions) expect(message).toContain(mention);
}

/** Proves the process is still healthy: a valid file opens and a run on it completes. */
async function expectHealthy(): Promise<void> {
  const valid = copyCorpus('coords_1k.h5', makeTempFolder('healthy'));
  const file = await openHdf5(valid);
  expect(file.keys()).toContain('coords');
  closeQuietly(file);
  const result = await runComputation({ file: valid, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 250 });
  expect(result.rows).toBe(1000);
  expect(result.blocks).toHaveLength(4);
}

describe('datasets the row norm cannot use', () => {
  let dtypes: string;
  let structure: string;
  let dtypesHash: string;
  let structureHash: string;

  beforeAll(() => {
    dtypes = copyCorpus('dtypes.h5', folder);
    structure = copyCorpus('structure.h5', folder);
    dtypesHash = sha256File(dtypes);
    structureHash = sha256File(structure);
  });

  it.each([
    { dataset: '/vector_1d', compute: 'std', why: /is 1-D: each entry is a single value.*`std` does not apply/ },
    { dataset: '/le_i4', compute: 'nan-count', why: /holds integers \(i4\), which cannot be NaN.*`nan-count` does not apply/ },
    { dataset: '/scalar', compute: undefined, why: /is a scalar/ },
    { dataset: '/compound_xy', compute: undefined, why: /compound/ },
    { dataset: '/strings', compute: undefined, why: /string/ },
    { dataset: '/', compute: undefined, why: /is a group, not a dataset/ },
  ])('dtypes.h5 $dataset is refused as unsupported-dataset, saying why ($why)', async ({ dataset, compute, why }) => {
    for (const strategy of ['inline', 'shard'] as const) {
      const error = await refusal(runComputation({ file: dtypes, dataset, compute, strategy, workers: 2 }));
      expect(error.code).toBe('unsupported-dataset');
      expectOneLine(error.message, 'dtypes.h5', dataset);
      expect(error.message).toMatch(why);
      expect(error.object).toBe(dataset);
    }
    expect(sha256File(dtypes)).toBe(dtypesHash);
    expect(runLeftoversBeside(dtypes)).toEqual([]);
  });

  it('a group path (structure.h5 /experiment) is refused: it is a group, not a dataset', async () => {
    const error = await refusal(runComputation({ file: structure, dataset: '/experiment', strategy: 'pool', workers: 2 }));
    expect(error.code).toBe('unsupported-dataset');
    expectOneLine(error.message, 'structure.h5', '/experiment', 'is a group, not a dataset');
    expect(sha256File(structure)).toBe(structureHash);
  });

  it.each([
    { file: () => dtypes, name: 'dtypes.h5', dataset: '/no_such_dataset' },
    { file: () => structure, name: 'structure.h5', dataset: '/experiment/run_001/nothing_here' },
  ])('a missing path ($name $dataset) is refused as not-found', async ({ file, name, dataset }) => {
    const error = await refusal(runComputation({ file: file(), dataset, strategy: 'inline', workers: 1 }));
    expect(error.code).toBe('not-found');
    expectOneLine(error.message, name, dataset, 'no such dataset');
    expect(runLeftoversBeside(file())).toEqual([]);
  });
});

describe('files that are not usable HDF5', () => {
  it.each(INVALID_FILES)('%s: openHdf5 and runComputation reject with not-hdf5, the file is unchanged, and the process stays healthy', async (name) => {
    const file = copyCorpus(name, folder);
    const before = sha256File(file);

    const openError = await refusal(openHdf5(file));
    expect(openError.code).toBe('not-hdf5');
    expectOneLine(openError.message, name);

    const runError = await refusal(runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2 }));
    expect(runError.code).toBe('not-hdf5');
    expectOneLine(runError.message, name);

    expect(sha256File(file)).toBe(before);
    expect(runLeftoversBeside(file)).toEqual([]);
    await expectHealthy();
  });

  it('a missing file: openHdf5 and runComputation reject with not-found, naming the file', async () => {
    const missing = join(folder, 'does_not_exist.h5');
    const openError = await refusal(openHdf5(missing));
    expect(openError.code).toBe('not-found');
    expectOneLine(openError.message, 'does_not_exist.h5');

    const runError = await refusal(runComputation({ file: missing, dataset: '/coords', strategy: 'inline', workers: 1 }));
    expect(runError.code).toBe('not-found');
    expectOneLine(runError.message, 'does_not_exist.h5');

    const inMissingFolder = join(folder, 'no_such_folder', 'coords.h5');
    const folderError = await refusal(runComputation({ file: inMissingFolder, dataset: '/coords', strategy: 'inline', workers: 1 }));
    expect(folderError.code).toBe('not-found');
    expectOneLine(folderError.message, 'coords.h5');
    await expectHealthy();
  });

  it('one process meets every invalid file and still runs a valid one, printing nothing on stderr (no HDF5-DIAG)', async () => {
    const childFolder = makeTempFolder('child');
    const valid = copyCorpus('coords_1k.h5', childFolder);
    const invalid = [...INVALID_FILES.map((name) => copyCorpus(name, childFolder)), join(childFolder, 'missing.h5')];
    const { stdout, stderr } = await execFileAsync(
      process.execPath, ['--import', 'tsx', join(projectRoot, 'test/support/invalid-files-child.ts'), valid, ...invalid],
      { cwd: projectRoot },
    );
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as {
      attempts: { file: string; open: { code: string; message: string }; run: { code: string; message: string } }[];
      afterwards: { rows: number; blocks: number };
    };
    expect(report.attempts.map((a) => [a.open.code, a.run.code])).toEqual([
      ...INVALID_FILES.map(() => ['not-hdf5', 'not-hdf5']),
      ['not-found', 'not-found'],
    ]);
    for (const attempt of report.attempts) {
      expect(attempt.open.message).not.toMatch(/\n/);
      expect(attempt.run.message).not.toMatch(/\n/);
    }
    expect(report.afterwards).toEqual({ rows: 1000, blocks: 10 });
  });
});
