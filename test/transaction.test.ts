// The write-ahead log under HDF5, on its own: where writes go, what a rollback
// and a crash leave, and how recovery finishes or undoes an interrupted run.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeLink } from '../src/main/hdf5/unlink';
import { acquireLock } from '../src/main/transaction/fileLock';
import { thisProcess } from '../src/main/transaction/processIdentity';
import { recoverFile } from '../src/main/transaction/recovery';
import { createRunScratch, removeDeadScratch } from '../src/main/transaction/scratch';
import { lockPathOf, logPathOf } from '../src/main/transaction/sidecarPaths';
import { beginTransaction } from '../src/main/transaction/transaction';
import { readLog } from '../src/main/transaction/writeAheadLog';
import { H5BlocksError } from '../src/shared/errors';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { describe as describeObjects, snapshot, snapshotOnDisk } from './support/reference';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('transaction');
});
afterAll(() => removeTempFolders());

const PAUSE = Symbol.for('h5blocks.testPause');
afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[PAUSE];
});

let counter = 0;
function fresh(): string {
  return copyCorpus('coords_1k.h5', folder, `tx_${++counter}.h5`);
}

/** Writes a 1000-value /distances through a transaction and closes h5wasm, leaving the commit to the caller. */
async function writeOutput(file: string, runId: string) {
  const transaction = beginTransaction(file, runId);
  const h5 = await transaction.openH5();
  h5.create_dataset({ name: 'distances', data: new Float32Array(1000).fill(7), shape: [1000], dtype: '<f' });
  h5.flush();
  h5.close();
  return transaction;
}

describe('before the commit point', () => {
  it('the file on disk holds its original bytes up to its original length, and h5py reads the untouched original', async () => {
    const file = fresh();
    const original = readFileSync(file);
    const transaction = await writeOutput(file, 'before-commit');
    const now = readFileSync(file);
    // HDF5 rewrote the superblock and the root group: those bytes are in the log, not in the file.
    expect(now.subarray(0, original.length).equals(original)).toBe(true);
    expect(now.length).toBeGreaterThan(original.length);
    expect(Object.keys(await snapshotOnDisk(file))).toEqual(['/', '/coords']);
    // The transaction itself reads its own writes.
    const store = transaction.store;
    expect(store.size()).toBe(now.length);
    expect(Buffer.from(store.readAt(0, 8)).toString('latin1')).toBe('\x89HDF\r\n\x1a\n');
    expect(Buffer.from(store.readAt(0, original.length)).equals(original)).toBe(false);
    transaction.rollback();
  });

  it('rollback leaves the file byte for byte as it was, with nothing beside it', async () => {
    const file = fresh();
    const before = sha256File(file);
    const transaction = await writeOutput(file, 'rollback');
    transaction.rollback();
    transaction.rollback();
    expect(sha256File(file)).toBe(before);
    expect(runLeftoversBeside(file)).toEqual([]);
  });

  it('commit puts the logged bytes in place: h5py reads the output, nothing is left beside the file, the inode is the same', async () => {
    const file = fresh();
    const inode = statSync(file).ino;
    const transaction = await writeOutput(file, 'commit');
    await transaction.commit();
    transaction.rollback(); // a no-op after commit
    expect(statSync(file).ino).toBe(inode);
    expect(runLeftoversBeside(file)).toEqual([]);
    const described = await describeObjects(file, ['/distances']);
    expect(described['/distances']).toMatchObject({ kind: 'dataset', shape: [1000], dtype: '<f4' });
  });

  it('raw-format edits through the store are logged like HDF5\'s own: unlinking /coords changes nothing on disk until commit', async () => {
    const file = fresh();
    const before = sha256File(file);
    const transaction = beginTransaction(file, 'unlink');
    removeLink(transaction.store, file, '/coords');
    expect(sha256File(file)).toBe(before);
    await transaction.commit();
    expect(Object.keys(await snapshot(file))).toEqual(['/']);
  });
});

describe('recovery after a crash', () => {
  it('a log without a commit record (the run died before committing): the file is cut back to its original bytes', async () => {
    const file = fresh();
    const before = sha256File(file);
    const runId = 'died-before-commit';
    // The run's thread is gone (as after a terminated worker): its lock counts as stale for this run id.
    await writeOutput(file, runId);
    expect(existsSync(logPathOf(file))).toBe(true);
    expect(readLog(logPathOf(file))?.commit).toBeUndefined();
    recoverFile(file, { abandonedRunId: runId });
    expect(sha256File(file)).toBe(before);
    expect(runLeftoversBeside(file)).toEqual([]);
    recoverFile(file);
    expect(sha256File(file)).toBe(before);
  });

  it('a log with a commit record (the run died copying into place): the copy is finished, the output is complete', async () => {
    const file = fresh();
    const transaction = await writeOutput(file, 'died-inside-copy');
    (globalThis as Record<symbol, unknown>)[PAUSE] = (point: string) => {
      if (point === 'inside-copy') throw new Error('simulated crash inside the copy');
    };
    const error = await transaction.commit().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(H5BlocksError);
    expect((error as Error).message).toMatch(/the next h5blocks command on this file finishes it$/);
    expect(readLog(logPathOf(file))?.commit?.extents.length).toBeGreaterThan(1);
    recoverFile(file);
    expect(runLeftoversBeside(file)).toEqual([]);
    const described = await describeObjects(file, ['/coords', '/distances']);
    expect(described['/distances']).toMatchObject({ kind: 'dataset', shape: [1000] });
    expect(described['/coords']).toMatchObject({ kind: 'dataset', shape: [1000, 2] });
    // Idempotent: recovering again changes nothing.
    const after = sha256File(file);
    recoverFile(file);
    expect(sha256File(file)).toBe(after);
  });

  it('a log about another file (the file was replaced since) is dropped without touching the file', () => {
    const file = fresh();
    const other = fresh();
    const before = sha256File(file);
    const transaction = beginTransaction(other, 'other-file');
    // The log of `other`, as if it had been written beside `file`.
    writeFileSync(logPathOf(file), readFileSync(logPathOf(other)));
    transaction.rollback();
    recoverFile(file);
    expect(sha256File(file)).toBe(before);
    expect(runLeftoversBeside(file)).toEqual([]);
  });
});

describe('locks', () => {
  it('a second lock on the same file, from this process, is refused as busy', () => {
    const file = fresh();
    const lock = acquireLock(file, 'first');
    expect(() => acquireLock(file, 'second')).toThrow(/is being written by another run in this app/);
    lock.release();
    acquireLock(file, 'third').release();
    expect(runLeftoversBeside(file)).toEqual([]);
  });

  it('a lock naming this pid with another start time (a reused pid) is stale and taken over', () => {
    const file = fresh();
    const me = thisProcess();
    writeFileSync(lockPathOf(file), JSON.stringify({ pid: me.pid, start: '1', boot: me.boot, runId: 'long-dead' }));
    const lock = acquireLock(file, 'new-owner');
    expect(JSON.parse(readFileSync(lockPathOf(file), 'utf8'))).toMatchObject({ pid: me.pid, start: me.start, runId: 'new-owner' });
    lock.release();
    expect(runLeftoversBeside(file)).toEqual([]);
  });

  it('a lock of a pid that does not exist is stale; a lock of a live process is not', () => {
    const file = fresh();
    writeFileSync(lockPathOf(file), JSON.stringify({ pid: 2 ** 22 + 17, start: '5', boot: '', runId: 'gone' }));
    acquireLock(file, 'taker').release();
    // pid 1 is alive: its lock stands, whatever its start time says... unless the start time is wrong.
    const initStart = readFileSync('/proc/1/stat', 'utf8').split(') ')[1].split(' ')[19];
    writeFileSync(lockPathOf(file), JSON.stringify({ pid: 1, start: initStart, boot: thisProcess().boot, runId: 'init' }));
    expect(() => acquireLock(file, 'taker')).toThrow(/is being written by process 1;/);
    writeFileSync(lockPathOf(file), JSON.stringify({ pid: 1, start: `${initStart}9`, boot: thisProcess().boot, runId: 'init' }));
    acquireLock(file, 'taker').release();
    expect(runLeftoversBeside(file)).toEqual([]);
  });
});

describe('scratch folders', () => {
  it('a dead run\'s scratch is removed; a live run\'s stays', () => {
    const root = makeTempFolder('scratch-root');
    const live = createRunScratch('live-run', root);
    const dead = join(root, `h5blocks-run-${2 ** 22 + 17}-5-dead-run`);
    writeFileSync(join(dirname(live.path), 'unrelated.txt'), 'not ours');
    createRunScratch('x', root).remove();
    writeFileSync(join(live.path, 'shard-000000.h5'), 'shard');
    mkdirSync(dead);
    writeFileSync(join(dead, 'shard-000000.h5'), 'shard');
    removeDeadScratch({}, root);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live.path)).toBe(true);
    expect(existsSync(join(root, 'unrelated.txt'))).toBe(true);
    removeDeadScratch({ abandonedRunId: 'live-run' }, root);
    expect(existsSync(live.path)).toBe(false);
  });
});
