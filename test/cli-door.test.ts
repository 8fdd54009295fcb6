// Names and numbers checked at the door: what the command line refuses before
// anything runs, and special files named for what they are, in one line each.
import { chmodSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

let folder: string;
let file: string;

beforeAll(() => {
  folder = makeTempFolder('door');
  file = copyCorpus('coords_1k.h5', folder);
});
afterAll(() => removeTempFolders());

function expectOneLineRefusal(result: { status: number | null; stdout: string; stderr: string }, exitCode: number, words: RegExp): void {
  expect(result.status).toBe(exitCode);
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(words);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('output and dataset names', () => {
  it.each([
    ['empty', '', /coords_1k\.h5: the output name "" is empty or blank/],
    ['blank', '  ', /the output name " {2}" is empty or blank/],
    ['with a newline', '/dist\nances', /the output name "\/dist\\nances" holds a control character \(\\n\)/],
    ['with a tab', '/dist\tances', /holds a control character \(\\t\)/],
  ])('an output name that is %s is refused (exit 2), and the file is untouched', async (_what, output, words) => {
    const before = readFileSync(file);
    expectOneLineRefusal(await runCli(['run', file, '--dataset', '/coords', '--output', output]), 2, words);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('--dataset \'\' is refused, not read as the root group', async () => {
    expectOneLineRefusal(await runCli(['run', file, '--dataset', '']), 2, /the dataset path is empty/);
  });

  it('a dataset name holding a newline stays on one line', async () => {
    expectOneLineRefusal(await runCli(['run', file, '--dataset', '/coo\nrds']), 1, /coords_1k\.h5: \/coo\\nrds: no such dataset/);
  });
});

describe('numbers', () => {
  it('--block-rows larger than the dataset runs as one block', async () => {
    const result = await runCli(['run', file, '--dataset', '/coords', '--block-rows', '100000000', '--output', '/one_block', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const run = JSON.parse(result.stdout) as { blockRows: number; blocks: unknown[]; rows: number };
    expect(run.blocks).toHaveLength(1);
    expect(run.blockRows).toBe(run.rows);
  });
});

describe('files that are not regular, readable files', () => {
  it('a device is named as one', async () => {
    expectOneLineRefusal(await runCli(['tree', '/dev/zero']), 2, /\/dev\/zero: is not a regular file \(a character device\)/);
  });

  it('a symbolic link loop is named as one', async () => {
    symlinkSync(join(folder, 'loop-b'), join(folder, 'loop-a'));
    symlinkSync(join(folder, 'loop-a'), join(folder, 'loop-b'));
    expectOneLineRefusal(await runCli(['tree', join(folder, 'loop-a')]), 2, /loop-a: cannot be opened: it is a symbolic link loop/);
  });

  it.skipIf(process.getuid?.() === 0)('a file the user may not read: permission denied', async () => {
    const locked = copyCorpus('coords_1k.h5', folder, 'locked.h5');
    chmodSync(locked, 0o000);
    expectOneLineRefusal(await runCli(['tree', locked]), 1, /locked\.h5: cannot be read: permission denied/);
  });
});
