// Any worker count from 1 to 64 runs without a warning (issue 7: `--workers 64`
// printed a two-line MaxListenersExceededWarning): small blocks, so that every
// worker has blocks and over a hundred are in flight at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/shared/run';
import { runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('cli-workers');
});
afterAll(() => removeTempFolders());

describe('h5blocks run --workers', () => {
  const cases = [['pool', 1], ['pool', 64], ['shard', 64]] as const;
  for (const [strategy, workers] of cases) {
    it(`${strategy} with ${workers} worker${workers === 1 ? '' : 's'}: exit 0, nothing on stderr`, async () => {
      const file = copyCorpus('coords_1k.h5', folder, `${strategy}-${workers}.h5`);
      const result = await runCli(['run', file, '--dataset', '/coords', '--strategy', strategy, '--workers', String(workers), '--block-rows', '8', '--json']);
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ status: 0, signal: null });
      const run = JSON.parse(result.stdout) as RunResult;
      expect(run.blocks).toHaveLength(125);
      expect(run.workers).toBe(workers);
    }, 120_000);
  }
});
