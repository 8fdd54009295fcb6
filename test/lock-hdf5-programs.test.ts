// h5blocks beside real libhdf5 programs (Debian's h5py in child processes):
// HDF5's own file lock taken and respected, its status flags respected, and
// honesty when another program ignores the lock. Needs `npx electron-vite
// build` (the CLI).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppService } from '../src/main/app/service';
import { runComputation } from '../src/main/run/engine';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { lockFile, lockingPolicy } from '../src/main/transaction/osLock';
import { H5BlocksError } from '../src/shared/errors';
import { runCli } from './support/cli';
import { copyCorpus, copyFile, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { contentsOf, h5dumpReads, h5pyOpens, h5pyScript, holdWithH5py, type H5pyHolder } from './support/h5py';
import { cliScript, projectRoot, systemPython } from './support/paths';

const execFileAsync = promisify(execFile);
const pausePreload = join(projectRoot, 'test/support/commit-pause.mjs');
const LOCKED = /unable to lock file/;

let folder: string;
let medium: string;
const holders: H5pyHolder[] = [];

beforeAll(async () => {
  folder = makeTempFolder('os-lock');
  medium = join(folder, 'medium.h5');
  await execFileAsync(process.execPath, [cliScript, 'sample', medium, '--rows', '200000'], { cwd: projectRoot });
}, 60_000);

afterEach(() => {
  for (const holder of holders.splice(0)) holder.kill();
});

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

async function hold(file: string, mode: 'r' | 'r+', env: NodeJS.ProcessEnv = {}): Promise<H5pyHolder> {
  const holder = await holdWithH5py(file, mode, env);
  holders.push(holder);
  return holder;
}

describe('lockFile: the same lock libhdf5 takes', () => {
  it('exclusive: h5py can open the file neither for reading nor for writing until it is released', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'unit_ex.h5');
    const lock = lockFile(file, 'exclusive');
    expect(lock.locked).toBe(true);
    try {
      expect((await h5pyOpens(file, 'r')).error).toMatch(LOCKED);
      expect((await h5pyOpens(file, 'r+')).error).toMatch(LOCKED);
    } finally {
      lock.release();
    }
    expect((await h5pyOpens(file, 'r+')).ok).toBe(true);
  });

  it('shared: h5py reads beside it but cannot write', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'unit_sh.h5');
    const lock = lockFile(file, 'shared');
    try {
      expect((await h5pyOpens(file, 'r')).ok).toBe(true);
      expect((await h5pyOpens(file, 'r+')).error).toMatch(LOCKED);
    } finally {
      lock.release();
    }
  });

  it.each(['r', 'r+'] as const)('refused while h5py holds the file \'%s\', naming python3 and its pid', async (mode) => {
    const file = copyCorpus('coords_1k.h5', folder, `unit_held_${mode}.h5`);
    const holder = await hold(file, mode);
    let error: unknown;
    try {
      lockFile(file, 'exclusive').release();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(H5BlocksError);
    expect((error as H5BlocksError).message).toBe(`unit_held_${mode}.h5: open in another program (python3, pid ${holder.pid}); close it there and run again`);
    await holder.close();
    lockFile(file, 'exclusive').release();
  });

  it('the fcntl fallback (where flock is missing, as libhdf5 does there): a run is refused while another process holds a POSIX lock', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'unit_fcntl.h5');
    const holder = spawn(systemPython, ['-c', [
      'import sys, fcntl',
      'f = open(sys.argv[1], "rb")',
      'fcntl.lockf(f, fcntl.LOCK_SH)',
      'print("locked", flush=True)',
      'sys.stdin.read()',
    ].join('\n'), file], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const before = sha256File(file);
      const result = await runCli(['run', file, '--dataset', '/coords'], { env: { H5BLOCKS_LOCK_WITH_FCNTL: '1' } });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(`h5blocks: unit_fcntl.h5: open in another program (python3, pid ${holder.pid}); close it there and run again`);
      expect(sha256File(file)).toBe(before);
    } finally {
      holder.stdin.end();
      holder.kill();
    }
    const again = await runCli(['run', file, '--dataset', '/coords'], { env: { H5BLOCKS_LOCK_WITH_FCNTL: '1' } });
    expect(again.status).toBe(0);
  }, 60_000);

  it('HDF5_USE_FILE_LOCKING is read as libhdf5 reads it', () => {
    expect(lockingPolicy({})).toBe('required');
    expect(lockingPolicy({ HDF5_USE_FILE_LOCKING: 'TRUE' })).toBe('required');
    expect(lockingPolicy({ HDF5_USE_FILE_LOCKING: '1' })).toBe('required');
    expect(lockingPolicy({ HDF5_USE_FILE_LOCKING: 'FALSE' })).toBe('off');
    expect(lockingPolicy({ HDF5_USE_FILE_LOCKING: '0' })).toBe('off');
    expect(lockingPolicy({ HDF5_USE_FILE_LOCKING: 'BEST_EFFORT' })).toBe('best-effort');
    const file = copyCorpus('coords_1k.h5', folder, 'unit_policy.h5');
    const lock = lockFile(file, 'exclusive', { policy: 'off' });
    expect(lock.locked).toBe(false);
    lock.release();
  });
});

describe('a run on a file another program has open', () => {
  it.each([
    ['r+', 'run', []],
    ['r', 'run', []],
    ['r+', 'overwrite', ['--overwrite']],
    ['r', 'overwrite', ['--overwrite']],
  ] as const)('held \'%s\' (%s): refused in one line before anything is written; the holder\'s later writes are intact', async (mode, kind, extra) => {
    for (let trial = 0; trial < 2; trial++) {
      const name = `held_${kind}_${mode.replace('+', 'plus')}_${trial}.h5`;
      const file = copyCorpus(kind === 'overwrite' ? 'coords_with_distances.h5' : 'coords_1k.h5', folder, name);
      const original = await contentsOf(file);
      const holder = await hold(file, mode);
      // After the holder opened it: libhdf5 opening 'r+' writes to the file itself.
      const before = sha256File(file);
      const result = await runCli(['run', file, '--dataset', '/coords', ...extra]);
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(`h5blocks: ${name}: open in another program (python3, pid ${holder.pid}); close it there and run again`);
      expect(result.stdout).toBe('');
      expect(sha256File(file)).toBe(before);
      expect(runLeftoversBeside(file)).toEqual([]);
      if (mode === 'r+') await holder.write('added_by_notebook');
      await holder.close();
      const after = await contentsOf(file);
      expect(after.names).toEqual(mode === 'r+' ? [...original.names, 'added_by_notebook'].sort() : original.names);
      expect(await h5dumpReads(file)).toBe(true);
      // Closed there: the same command now runs.
      const again = await runCli(['run', file, '--dataset', '/coords', ...extra]);
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
      expect((await contentsOf(file)).distancesCorrect).toBe(true);
    }
  }, 120_000);

  it('materialize: refused while h5py holds the file, done once it is closed', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'held_vds.h5');
    const vds = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'vds', '--workers', '2']);
    expect(vds.status).toBe(0);
    const before = sha256File(file);
    const holder = await hold(file, 'r');
    const result = await runCli(['materialize', file, '--dataset', '/distances']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`h5blocks: held_vds.h5: open in another program (python3, pid ${holder.pid}); close it there and run again`);
    expect(sha256File(file)).toBe(before);
    await holder.close();
    const again = await runCli(['materialize', file, '--dataset', '/distances']);
    expect(again.status).toBe(0);
    expect((await contentsOf(file)).distancesCorrect).toBe(true);
    expect(await h5dumpReads(file)).toBe(true);
  }, 60_000);
});

describe('Save As over a file another program has open', () => {
  it('replacing a file h5py holds: refused in one line, that file untouched; replaced once it is closed', async () => {
    const saveFolder = makeTempFolder('os-lock-save');
    const source = copyCorpus('coords_with_distances.h5', saveFolder, 'source.h5');
    const target = copyCorpus('coords_1k.h5', saveFolder, 'target.h5');
    const service = new AppService({ host: serveHost(new AllowedRoots([saveFolder])), userDataDir: makeTempFolder('os-lock-user') });
    try {
      const opened = await service.openPath(source);
      const holder = await hold(target, 'r+');
      const before = sha256File(target);
      const error = await service.saveAs(opened.id, target, { replace: true }).then(() => undefined, (failure: unknown) => failure);
      expect(error).toBeInstanceOf(H5BlocksError);
      expect((error as H5BlocksError).message).toBe(`target.h5: open in another program (python3, pid ${holder.pid}); close it there and save again`);
      expect(sha256File(target)).toBe(before);
      await holder.write('kept_by_notebook');
      await holder.close();
      expect((await contentsOf(target)).names).toEqual(['coords', 'kept_by_notebook']);
      const copy = await service.saveAs(opened.id, target, { replace: true });
      expect(copy?.path).toBe(target);
      expect(sha256File(target)).toBe(sha256File(source));
    } finally {
      await service.dispose();
    }
  }, 60_000);
});

describe('h5py coming in while a run works', () => {
  it('at the commit point of a CLI run (3 trials): libhdf5 refuses h5py for reading and writing; the run completes, correct', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const file = copyCorpus('coords_1k.h5', folder, `midrun_cli_${trial}.h5`);
      const marker = `${file}.paused`;
      const run = runCli(['run', file, '--dataset', '/coords', '--strategy', 'pool', '--workers', '2'], {
        nodeArgs: ['--import', pausePreload],
        env: { H5BLOCKS_TEST_PAUSE_AT: 'after-commit-record', H5BLOCKS_TEST_PAUSE_MARKER: marker, H5BLOCKS_TEST_PAUSE_MS: '4000' },
      });
      const deadline = Date.now() + 60_000;
      while (!existsSync(marker) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(existsSync(marker)).toBe(true);
      const [asWriter, asReader] = await Promise.all([h5pyOpens(file, 'r+'), h5pyOpens(file, 'r')]);
      expect(asWriter.error).toMatch(LOCKED);
      expect(asReader.error).toMatch(LOCKED);
      const result = await run;
      rmSync(marker, { force: true });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(await contentsOf(file)).toEqual({ names: ['coords', 'distances'], distancesCorrect: true });
      expect(await h5dumpReads(file)).toBe(true);
    }
  }, 180_000);

  it.each(['inline', 'pool', 'shard'] as const)('between blocks (%s, 2 trials): h5py is refused by the lock; the run completes, correct', async (strategy) => {
    for (let trial = 0; trial < 2; trial++) {
      const file = copyFile(medium, folder, `midrun_${strategy}_${trial}.h5`);
      const attempts: string[] = [];
      await runComputation({ file, dataset: '/coords', strategy, workers: 2, blockRows: 20_000 }, {
        onProgress: () => {
          if (attempts.length > 0) return;
          // Synchronously, so the run is surely under way and holds the file.
          for (const mode of ['r+', 'r']) {
            const tried = spawnSync(systemPython, ['-c', `import sys, h5py\nh5py.File(sys.argv[1], '${mode}').close()`, file], { encoding: 'utf8' });
            attempts.push(tried.status === 0 ? 'opened' : tried.stderr.trim().split('\n').pop() ?? '');
          }
        },
      });
      expect(attempts).toHaveLength(2);
      for (const attempt of attempts) expect(attempt).toMatch(LOCKED);
      expect(await contentsOf(file)).toEqual({ names: ['coords', 'distances'], distancesCorrect: true });
      expect(runLeftoversBeside(file)).toEqual([]);
    }
  }, 180_000);
});

describe('HDF5_USE_FILE_LOCKING', () => {
  it('FALSE for h5blocks: no lock taken, as libhdf5 does (a reader holding the file does not stop the run)', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'nolock.h5');
    const holder = await hold(file, 'r');
    const result = await runCli(['run', file, '--dataset', '/coords'], { env: { HDF5_USE_FILE_LOCKING: 'FALSE' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    await holder.close();
    expect((await contentsOf(file)).distancesCorrect).toBe(true);
  }, 60_000);

  it('FALSE for h5py, which writes during the run (2 trials): the run stops, says so and that the file may need h5dump; the writer\'s dataset is intact', async () => {
    for (let trial = 0; trial < 2; trial++) {
      const file = copyFile(medium, folder, `ignored_${trial}.h5`);
      let wrote = false;
      const error = await runComputation({ file, dataset: '/coords', strategy: 'inline', workers: 1, blockRows: 20_000 }, {
        onProgress: () => {
          if (wrote) return;
          wrote = true;
          const written = spawnSync(systemPython, ['-c', [
            'import sys, h5py, numpy as np',
            'with h5py.File(sys.argv[1], "r+") as f: f["from_notebook"] = np.arange(1000, dtype="f8")',
          ].join('\n'), file], { encoding: 'utf8', env: { ...process.env, HDF5_USE_FILE_LOCKING: 'FALSE' } });
          if (written.status !== 0) throw new Error(written.stderr);
        },
      }).then(() => undefined, (failure: unknown) => failure);
      expect(wrote).toBe(true);
      expect(error).toBeInstanceOf(H5BlocksError);
      const message = (error as H5BlocksError).message;
      expect(message).toMatch(new RegExp(`^ignored_${trial}\\.h5: another program wrote to the file during the run without taking HDF5's file lock`));
      expect(message).toMatch(/h5dump/);
      expect(message).not.toMatch(/left as that program wrote it/);
      const after = await contentsOf(file);
      expect(after.names).toEqual(['coords', 'from_notebook']);
      expect((await h5pyScript('print(bool((h5py.File(sys.argv[1], "r")["from_notebook"][:] == np.arange(1000)).all()))', file)).out).toBe('True');
      expect(await h5dumpReads(file)).toBe(true);
      expect(runLeftoversBeside(file)).toEqual([]);
    }
  }, 120_000);
});

describe('superblock status flags (version 3) left by a libhdf5 writer', () => {
  async function markedFile(name: string, swmr: boolean): Promise<string> {
    const file = join(folder, name);
    // A writer that dies with the file open leaves its mark: as a notebook kernel killed mid-session.
    const made = await h5pyScript([
      'import os',
      'f = h5py.File(sys.argv[1], "w", libver="latest")',
      'f["coords"] = np.arange(200, dtype="f4").reshape(100, 2)',
      'f.close()',
      'f = h5py.File(sys.argv[1], "r+", libver="latest")',
      ...(swmr ? ['f.swmr_mode = True'] : []),
      'f.flush()',
      'os._exit(0)',
    ].join('\n'), file);
    expect(made.ok).toBe(true);
    expect(readFileSync(file)[8]).toBe(3);
    expect((await h5pyOpens(file, 'r')).error).toMatch(/already open for/);
    return file;
  }

  it.each([['writing', false], ['SWMR writing', true]] as const)('marked open for %s: runs refused with h5clear -s; reading still works; after h5clear the run goes', async (words, swmr) => {
    const name = swmr ? 'marked_swmr.h5' : 'marked.h5';
    const file = await markedFile(name, swmr);
    const before = sha256File(file);
    const result = await runCli(['run', file, '--dataset', '/coords']);
    expect(result.status).toBe(1);
    // (A SWMR writer's mark is met first by the SWMR check, which names the dataset too.)
    expect(result.stderr.trim()).toMatch(new RegExp(`^h5blocks: ${name.replace('.', '\\.')}: (/coords: .*)?marked open for ${words}.* by another HDF5 program\\)?; .*h5clear -s ${name.replace('.', '\\.')}`));
    expect(sha256File(file)).toBe(before);
    const tree = await runCli(['tree', file]);
    expect(tree.status).toBe(0);
    expect(tree.stdout).toMatch(/coords\s+100 × 2/);
    expect(sha256File(file)).toBe(before);
    await execFileAsync('h5clear', ['-s', file]);
    const again = await runCli(['run', file, '--dataset', '/coords']);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect((await contentsOf(file)).distancesCorrect).toBe(true);
  }, 60_000);
});
