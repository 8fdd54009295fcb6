// The next command after a crash says in one line what it recovered.
import { appendFileSync, closeSync, readFileSync, statSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { logPathOf } from '../src/main/transaction/sidecarPaths';
import { createLog } from '../src/main/transaction/writeAheadLog';
import { lines, runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside } from './support/files';

afterAll(() => removeTempFolders());

it('a run that died before its commit: the next command rolls it back and says so in one line', async () => {
  const folder = makeTempFolder('recovery-notice');
  const file = copyCorpus('coords_1k.h5', folder);
  const before = readFileSync(file);
  // What a run killed mid-way leaves: its write-ahead log (no commit record) and its output's bytes appended.
  const stat = statSync(file, { bigint: true });
  const log = createLog(logPathOf(file), { originalSize: before.length, dev: String(stat.dev), ino: String(stat.ino), runId: 'crashed-run' });
  closeSync(log.fd);
  appendFileSync(file, Buffer.alloc(4096, 7));

  const result = await runCli(['tree', file]);
  expect(result.status).toBe(0);
  expect(lines(result.stderr)).toEqual(['h5blocks: coords_1k.h5: rolled back an interrupted run (crashed-run): the file is as it was before that run, 4,096 bytes of its unfinished output cut']);
  expect(readFileSync(file).equals(before)).toBe(true);
  expect(runLeftoversBeside(file)).toEqual([]);

  // Nothing left to recover: the command after that is silent.
  const again = await runCli(['tree', file]);
  expect(again.stderr).toBe('');
});
