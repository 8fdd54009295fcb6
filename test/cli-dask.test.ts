// `h5blocks run --strategy dask` from the command line: a local cluster when no
// scheduler is named, and one clear line when Python, a module or the
// scheduler is missing; `export-script` refusing what is not a run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/shared/run';
import { lines, runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { systemPython } from './support/paths';
import { readdirSync } from 'node:fs';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('cli-dask');
});
afterAll(() => removeTempFolders());

const withPython: { env: NodeJS.ProcessEnv } = { env: { H5BLOCKS_PYTHON: systemPython } };

function expectOneLineFailure(result: { status: number | null; stdout: string; stderr: string }, status: number, pattern: RegExp): void {
  expect(result.status).toBe(status);
  expect(result.stdout).toBe('');
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/Traceback|HDF5-DIAG|\bat .*\.(js|ts):\d+/);
}

function shardFoldersIn(dir: string): string[] {
  return readdirSync(dir).filter((entry) => entry.endsWith('.h5blocks-shards'));
}

describe('h5blocks run --strategy dask without --scheduler', () => {
  it('starts a local cluster of --workers Dask workers and writes the pool strategy\'s bytes', async () => {
    const poolFile = copyCorpus('coords_1k.h5', folder, 'local_pool.h5');
    const daskFile = copyCorpus('coords_1k.h5', folder, 'local_dask.h5');
    const pool = await runCli(['run', poolFile, '--dataset', '/coords', '--strategy', 'pool', '--block-rows', '200', '--json']);
    const dask = await runCli(['run', daskFile, '--dataset', '/coords', '--strategy', 'dask', '--workers', '2', '--block-rows', '200', '--json'], withPython);
    expect(dask.stderr).toBe('');
    expect(dask.status).toBe(0);
    const poolRun = JSON.parse(pool.stdout) as RunResult;
    const daskRun = JSON.parse(dask.stdout) as RunResult;
    expect(daskRun).toMatchObject({ strategy: 'dask', scheduler: 'local', outputSha256: poolRun.outputSha256 });
    const daskLanes = new Set(daskRun.blocks.flatMap((b) => b.phases.map((p) => p.lane)).filter((lane) => lane !== 'main'));
    expect(daskLanes.size).toBeGreaterThanOrEqual(1);
    expect(daskLanes.size).toBeLessThanOrEqual(2);
    for (const lane of daskLanes) expect(lane).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(shardFoldersIn(folder)).toEqual([]);
    expect(runLeftoversBeside(daskFile)).toEqual([]);
  });
});

describe('one line when the Dask strategy cannot run', () => {
  let file: string;
  let before: string;
  beforeAll(() => {
    file = copyCorpus('coords_1k.h5', folder, 'refused.h5');
    before = sha256File(file);
  });

  const run = (args: string[], options = withPython) =>
    runCli(['run', file, '--dataset', '/coords', '--strategy', 'dask', '--block-rows', '200', ...args], options);

  it('no such Python', async () => {
    const result = await run(['--python', join(folder, 'no-python-here')]);
    expectOneLineFailure(result, 1, /^h5blocks: refused\.h5: \/coords: dask: cannot start .*no-python-here \(no such program\); .*H5BLOCKS_PYTHON/);
  });

  it('a Python without dask', async () => {
    // A dask package that cannot be imported stands in for a Python that lacks it.
    const fake = join(folder, 'no-dask');
    mkdirSync(join(fake, 'dask'), { recursive: true });
    writeFileSync(join(fake, 'dask', '__init__.py'), 'raise ImportError("No module named \'dask\'")\n');
    const result = await run([], { env: { H5BLOCKS_PYTHON: systemPython, PYTHONPATH: fake } });
    expectOneLineFailure(result, 1, /^h5blocks: refused\.h5: \/coords: dask: the Python at .* cannot import dask \(No module named 'dask'\); the Dask strategy needs Python 3 with dask, distributed, h5py and numpy/);
  });

  describe('a scheduler nobody answers at', () => {
    let server: Server;
    let address: string;
    beforeAll(async () => {
      // A port that accepts connections but never speaks Dask: the handshake times out.
      server = createServer((socket) => socket.on('error', () => undefined));
      await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen()));
      address = `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((resolveClose) => server.close(() => resolveClose())));

    it('says it cannot reach the scheduler, naming it', async () => {
      const result = await run(['--scheduler', address]);
      expectOneLineFailure(result, 1, new RegExp(`^h5blocks: refused\\.h5: /coords: dask: cannot reach the Dask scheduler at ${address.replace(/[.]/g, '\\.')}`));
    });
  });

  it('a scheduler address that is not one, or a scheduler for another strategy: usage errors', async () => {
    expectOneLineFailure(await run(['--scheduler', 'not an address']), 2, /is not a Dask scheduler address; write it as tcp:\/\/host:port/);
    const pool = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'pool', '--scheduler', 'tcp://127.0.0.1:8786']);
    expectOneLineFailure(pool, 2, /a scheduler address is only used by the dask strategy, not pool/);
  });

  afterAll(() => {
    expect(sha256File(file)).toBe(before);
    expect(shardFoldersIn(folder)).toEqual([]);
    expect(runLeftoversBeside(file)).toEqual([]);
  });
});

describe('h5blocks export-script refuses what is not a run', () => {
  it('not JSON, not a run, several runs without --run', async () => {
    const notJson = join(folder, 'not.json');
    writeFileSync(notJson, 'hello');
    expectOneLineFailure(await runCli(['export-script', notJson]), 2, /^h5blocks: not\.json: is not JSON/);
    const notRun = join(folder, 'not-run.json');
    writeFileSync(notRun, JSON.stringify({ hello: 1 }));
    expectOneLineFailure(await runCli(['export-script', notRun]), 2, /^h5blocks: not-run\.json: is not a run h5blocks recorded/);
    const two = join(folder, 'two.json');
    writeFileSync(two, JSON.stringify({ runs: [{ id: 'a' }, { id: 'b' }] }));
    expectOneLineFailure(await runCli(['export-script', two]), 2, /^h5blocks: two\.json: holds 2 runs; choose one with --run ID/);
    expectOneLineFailure(await runCli(['export-script', join(folder, 'missing.json')]), 1, /missing\.json: cannot read the run: no such file or folder/);
  });
});
