// Decompression that cannot stall (issue 23, point 6): a damaged bzip2 chunk
// makes the plugin's decoder wait forever for input inside HDF5. The read is
// given a time budget in proportion to its size, so it fails with one line
// naming the file, the dataset and the filter, long before the stall limit.
// The stall limit is set far beyond the bound waited for here, so a run ended
// within that bound was ended by the budget; the bound itself is generous.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeClock, decodeBudgetMs } from '../src/main/io/stallLimit';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { lines, runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { rejection } from './support/rejection';

/** Far beyond the bound below: only the budget can end a run within that bound. */
const STALL_LIMIT_MS = '600000';
/** Generous for a loaded machine (start-up, a worker pool); the stall limit alone would take ten minutes. */
const WELL_BEFORE_STALL_LIMIT_MS = 90_000;

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('decode-budget');
});
afterAll(() => removeTempFolders());

describe('a damaged bzip2 chunk whose decoder never returns', () => {
  for (const strategy of ['inline', 'pool', 'shard', 'vds'] as const) {
    it(`fails a ${strategy} run in one line naming file, dataset and filter, before the stall limit; the file is unchanged`, async () => {
      const file = copyCorpus('hostile/damaged_bzip2.h5', folder, `damaged_bzip2_${strategy}.h5`);
      const before = sha256File(file);
      const started = Date.now();
      const result = await runCli(['run', file, '--dataset', '/DS1', '--strategy', strategy, '--workers', '2'], {
        env: { H5BLOCKS_STALL_LIMIT_MS: STALL_LIMIT_MS },
      });
      expect(Date.now() - started).toBeLessThan(WELL_BEFORE_STALL_LIMIT_MS);
      expect(result.status).toBe(1);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(new RegExp(`^h5blocks: damaged_bzip2_${strategy}\\.h5: /DS1: cannot read rows \\d+\\.\\.\\d+: .*bzip2`));
      expect(result.stderr).not.toMatch(/made no progress/);
      expect(sha256File(file)).toBe(before);
      expect(runLeftoversBeside(file)).toEqual([]);
      // vds keeps its shards in a folder beside the file: none is left by a failed run.
      expect(readdirSync(folder).filter((entry) => entry.includes(`damaged_bzip2_${strategy}`) && entry !== `damaged_bzip2_${strategy}.h5`)).toEqual([]);
    }, 120_000);
  }

  it('fails a read of its values in the app in one line, and the file still answers afterwards', async () => {
    const previous = process.env.H5BLOCKS_STALL_LIMIT_MS;
    process.env.H5BLOCKS_STALL_LIMIT_MS = STALL_LIMIT_MS;
    const service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('decode-budget-user') });
    try {
      const opened = await service.openPath(copyCorpus('hostile/damaged_bzip2.h5', folder, 'read_in_app.h5'));
      const started = Date.now();
      const error = await rejection(service.getValue(opened.id, '/DS1', [[0, 32], [0, 64]]));
      expect(Date.now() - started).toBeLessThan(WELL_BEFORE_STALL_LIMIT_MS);
      expect(error.message).toMatch(/^read_in_app\.h5: \/DS1: cannot read values: the bzip2 filter did not finish decoding them/);
      expect(error.message).not.toMatch(/\n/);
      expect((await service.getValue(opened.id, '/DS1', [[0, 8], [0, 64]])).values).toHaveLength(8 * 64);
    } finally {
      await service.dispose();
      if (previous === undefined) delete process.env.H5BLOCKS_STALL_LIMIT_MS;
      else process.env.H5BLOCKS_STALL_LIMIT_MS = previous;
    }
  }, 120_000);
});

describe('the decode budget', () => {
  it('grows with the size of the read, and can be turned off', () => {
    const small = decodeBudgetMs(10 * 1024)!;
    const large = decodeBudgetMs(256 * 2 ** 20)!;
    expect(small).toBeLessThan(1000);
    expect(large).toBeGreaterThan(small * 50);
    process.env.H5BLOCKS_DECODE_BUDGET_MS = '0';
    try {
      expect(decodeBudgetMs(10 * 1024)).toBeUndefined();
    } finally {
      delete process.env.H5BLOCKS_DECODE_BUDGET_MS;
    }
  });

  it('does not count the time a filter plugin takes to load', () => {
    const clock = new DecodeClock();
    const start = Date.now();
    clock.note({ type: 'decoding', file: '/f/x.h5', object: '/d', bytes: 1024, words: 'x.h5: /d: cannot read rows 0..1: the bzip2 filter did not finish decoding them' });
    const budget = decodeBudgetMs(1024)!;
    expect(clock.overBudget(start + budget - 10)).toBeUndefined();
    expect(clock.overBudget(start + budget + 300)?.message).toMatch(/^x\.h5: \/d: cannot read rows 0\.\.1: the bzip2 filter did not finish decoding them within/);
    clock.note({ type: 'plugin-loading' });
    expect(clock.overBudget(start + 100 * budget)).toBeUndefined();
    clock.note({ type: 'decoded' });
    expect(clock.overBudget(start + 100 * budget)).toBeUndefined();
  });
});
