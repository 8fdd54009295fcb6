// Refusals that name the real cause (issue 23): a filter that is not installed
// and a missing external raw-data file are said as such, never as damage, in
// one line naming the file and the dataset, whichever strategy ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256File } from './support/files';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('refusal-causes');
});
afterAll(() => removeTempFolders());

const CASES = [
  { fixture: 'hostile/unknown_filter.h5', cause: /a filter it needs is not installed: filter 32123 is not available/ },
  { fixture: 'hostile/external_missing.h5', cause: /its external raw-data file "no_such_values\.bin" is missing/ },
];

describe('the real cause, in one line naming file and dataset', () => {
  for (const { fixture, cause } of CASES) {
    for (const strategy of ['inline', 'pool', 'shard'] as const) {
      it(`${fixture} with ${strategy}`, async () => {
        const name = `${strategy}-${fixture.replace('hostile/', '')}`;
        const file = copyCorpus(fixture, folder, name);
        const before = sha256File(file);
        const result = await runCli(['run', file, '--dataset', '/values', '--strategy', strategy, '--workers', '2']);
        expect(result.status).toBe(1);
        expect(lines(result.stderr)).toHaveLength(1);
        expect(result.stderr).toMatch(new RegExp(`^h5blocks: ${name.replace('.', '\\.')}: /values: `));
        expect(result.stderr).toMatch(cause);
        expect(result.stderr).not.toMatch(/damaged|corrupt/);
        expect(sha256File(file)).toBe(before);
      }, 60_000);
    }
  }
});
