// A run's block buffers are kept for the next run on the same thread: that
// run allocates none, and what earlier runs left in them never reaches an output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRequest, RunResult } from '../src/shared/run';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('buffers');
});
afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

/** The same run in a process of its own: buffers nobody used before. */
async function freshProcessSha(file: string, args: string[]): Promise<string> {
  const result = await runCli(['run', file, ...args, '--json']);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as RunResult).outputSha256;
}

describe('block buffers across runs', () => {
  it('a second run in the same thread allocates no block buffer and writes the same bits', async () => {
    const request = (file: string): RunRequest => ({ file, dataset: '/contiguous', strategy: 'pool', workers: 2, blockRows: 5000 });
    const first = await runComputation(request(copyCorpus('layouts.h5', folder, 'first.h5')));
    const second = await runComputation(request(copyCorpus('layouts.h5', folder, 'second.h5')));
    expect(first.blocks.length).toBeGreaterThan(10);
    expect(first.blockBuffers!.allocated).toBeGreaterThan(0);
    expect(second.blockBuffers!.allocated).toBe(0);
    expect(second.outputSha256).toBe(first.outputSha256);
  });

  it('runs after larger ones write what a fresh process writes, in every strategy that reuses buffers', async () => {
    // Large blocks first: every kept buffer then holds another dataset's bytes past what a smaller block fills.
    await runComputation({ file: copyCorpus('layouts.h5', folder, 'large.h5'), dataset: '/chunked', strategy: 'pool', workers: 2, blockRows: 40_000 });
    const cases: { dataset: string; strategy: 'pool' | 'inline'; blockRows: number }[] = [
      { dataset: '/shuffle_gzip', strategy: 'pool', blockRows: 8192 },
      { dataset: '/chunked_odd', strategy: 'pool', blockRows: 777 * 3 },
      { dataset: '/compact', strategy: 'inline', blockRows: 7 },
      { dataset: '/extendible', strategy: 'pool', blockRows: 999 },
    ];
    for (const { dataset, strategy, blockRows } of cases) {
      const file = copyCorpus('layouts.h5', folder, `after${dataset.replace('/', '-')}.h5`);
      const result = await runComputation({ file, dataset, strategy, workers: 2, blockRows });
      expect(result.blockBuffers!.allocated, dataset).toBe(0);
      const reference = copyCorpus('layouts.h5', folder, `fresh${dataset.replace('/', '-')}.h5`);
      expect(result.outputSha256, dataset).toBe(await freshProcessSha(reference, ['--dataset', dataset, '--strategy', strategy, '--workers', '2', '--block-rows', String(blockRows)]));
    }
  });
});
