// Writing in place: the file stays the same file (links, owner, mode, xattrs),
// a file another program replaced or changed during the run is never written,
// outputs that could destroy the input are refused, and a full or read-only
// disk gets one line while the file stays as it was.
import { execFile } from 'node:child_process';
import { rmSync, chmodSync, chownSync, linkSync, lstatSync, readlinkSync, renameSync, statSync, symlinkSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { H5BlocksError } from '../src/shared/errors';
import { runCli } from './support/cli';
import { copyCorpus, copyFile, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { cliScript, projectRoot, systemPython } from './support/paths';
import { describe as describeObjects, snapshot } from './support/reference';
import { readFileSync, writeFileSync } from 'node:fs';
import { lockPathOf } from '../src/main/transaction/sidecarPaths';

const execFileAsync = promisify(execFile);
let folder: string;
let nested: string;
let big: string;

beforeAll(async () => {
  folder = makeTempFolder('in-place');
  nested = join(folder, 'nested.h5');
  await execFileAsync(systemPython, ['-c', [
    'import h5py, numpy as np, sys',
    'f = h5py.File(sys.argv[1], "w")',
    'f.create_dataset("/experiment/run_001/detector/coords", data=np.arange(200, dtype="f4").reshape(100, 2))',
    'f.close()',
  ].join('\n'), nested]);
  big = join(folder, 'big.h5');
  await execFileAsync(process.execPath, [cliScript, 'sample', big, '--rows', '2000000'], { cwd: projectRoot });
}, 60_000);

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

async function refusal(attempt: Promise<unknown>): Promise<H5BlocksError> {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(H5BlocksError);
  return error as H5BlocksError;
}

describe('the same file', () => {
  it('through a symlink: the link stays a link, its target gets the output', async () => {
    const target = copyCorpus('coords_1k.h5', folder, 'target.h5');
    const link = join(folder, 'link.h5');
    symlinkSync(target, link);
    await runComputation({ file: link, dataset: '/coords', strategy: 'pool', workers: 2 });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect((await describeObjects(target, ['/distances']))['/distances']).toMatchObject({ kind: 'dataset', shape: [1000] });
    expect(runLeftoversBeside(target)).toEqual([]);
  });

  it('a hard link: both names see the output, one inode, two links', async () => {
    const first = copyCorpus('coords_1k.h5', folder, 'hard_a.h5');
    const second = join(folder, 'hard_b.h5');
    linkSync(first, second);
    const inode = statSync(first).ino;
    await runComputation({ file: second, dataset: '/coords', strategy: 'inline', workers: 1 });
    expect(statSync(first).ino).toBe(inode);
    expect(statSync(second).ino).toBe(inode);
    expect(statSync(first).nlink).toBe(2);
    expect((await describeObjects(first, ['/distances']))['/distances']).toMatchObject({ kind: 'dataset' });
  });

  it('owner, group, mode and extended attributes are untouched', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'owned.h5');
    chmodSync(file, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(file, 65534, 65534);
    await execFileAsync(systemPython, ['-c', 'import os, sys; os.setxattr(sys.argv[1], "user.origin", b"lab-7")', file]);
    const before = statSync(file);
    await runComputation({ file, dataset: '/coords', strategy: 'shard', workers: 2 });
    const after = statSync(file);
    expect([after.ino, after.uid, after.gid, after.mode]).toEqual([before.ino, before.uid, before.gid, before.mode]);
    if (root) expect([after.uid, after.gid]).toEqual([65534, 65534]);
    const xattr = await execFileAsync(systemPython, ['-c', 'import os, sys; print(os.getxattr(sys.argv[1], "user.origin").decode())', file]);
    expect(xattr.stdout.trim()).toBe('lab-7');
  });
});

describe('another program at work on the file during the run', () => {
  it('moves a new file into place: the run fails saying so, and that program\'s file is left exactly as it wrote it', async () => {
    const file = copyFile(big, folder, 'replaced.h5');
    const replacement = copyCorpus('coords_1k.h5', folder, 'replacement.h5');
    const replacementHash = sha256File(replacement);
    let moved = false;
    const error = await refusal(runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 100_000 }, {
      onProgress: () => {
        if (moved) return;
        moved = true;
        renameSync(replacement, file);
      },
    }));
    expect(moved).toBe(true);
    expect(error.code).toBe('busy');
    expect(error.message).toBe('replaced.h5: was replaced by another program during the run (it moved another file to this name); the run\'s result was not saved and the file now at this name is as that program wrote it, untouched by h5blocks');
    expect(sha256File(file)).toBe(replacementHash);
    expect(runLeftoversBeside(file)).toEqual([]);
  });

  it('appends to it in place: the run fails, the other program\'s bytes stay', async () => {
    const file = copyFile(big, folder, 'appended.h5');
    let appended = false;
    const error = await refusal(runComputation({ file, dataset: '/coords', strategy: 'inline', workers: 1, blockRows: 100_000 }, {
      onProgress: () => {
        if (appended) return;
        appended = true;
        appendFileSync(file, 'another program was here');
      },
    }));
    expect(error.code).toBe('busy');
    expect(error.message).toMatch(/^appended\.h5: another program wrote to the file during the run without taking HDF5's file lock .*check the file with h5dump before using it$/);
    expect(readFileSync(file).toString('latin1').endsWith('another program was here')).toBe(true);
    expect(runLeftoversBeside(file)).toEqual([]);
  });
});

describe('concurrent runs', () => {
  it.each([false, true])('four CLI runs started together (stale lock of a dead process beside the file: %s): exactly one writes', async (stale) => {
    const file = copyFile(big, folder, `race_${stale}.h5`);
    if (stale) writeFileSync(lockPathOf(file), JSON.stringify({ pid: 2 ** 22 + 17, start: '5', boot: '', runId: 'dead' }));
    // The run that gets the lock holds it for 3 s at its commit point, so the four runs
    // overlap however long each takes to start: a second writer would have to pass the lock.
    const hold = {
      nodeArgs: ['--import', join(projectRoot, 'test/support/commit-pause.mjs')],
      env: { H5BLOCKS_TEST_PAUSE_AT: 'after-commit-record', H5BLOCKS_TEST_PAUSE_MARKER: `${file}.paused`, H5BLOCKS_TEST_PAUSE_MS: '3000' },
    };
    const results = await Promise.all([0, 1, 2, 3].map((i) => runCli(['run', file, '--dataset', '/coords', '--strategy', 'inline', '--output', `/out_${i}`], hold)));
    rmSync(`${file}.paused`, { force: true });
    const winners = results.filter((r) => r.status === 0);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.status !== 0)) {
      expect(loser.status).toBe(1);
      expect(loser.stderr.trim()).toMatch(/^h5blocks: race_(true|false)\.h5: is being written by process \d+; h5blocks runs one computation per file at a time, try again when it ends$/);
    }
    const objects = Object.keys(await snapshot(file)).filter((name) => name.startsWith('/out_'));
    expect(objects).toHaveLength(1);
    expect(runLeftoversBeside(file)).toEqual([]);
  });
});

describe('outputs that could destroy the input are refused, naming both paths, leaving the file as it was', () => {
  it.each([
    ['/experiment', 'is a group that holds the input'],
    ['/experiment/run_001', 'is a group that holds the input'],
    ['/experiment/run_001/detector/coords', 'is the input dataset itself'],
    ['/experiment/run_001/detector/coords/x', 'lies under the input dataset'],
    ['../../run_001/detector/coords', 'a path through ".."'],
    ['/experiment/../experiment', 'a path through ".."'],
    ['/', 'is the root group'],
  ])('--output %s --overwrite', async (output, why) => {
    const file = copyFile(nested, folder, 'nested_copy.h5');
    const before = sha256File(file);
    const result = await runCli(['run', file, '--dataset', '/experiment/run_001/detector/coords', '--output', output, '--overwrite']);
    expect(result.status).toBe(1);
    const line = result.stderr.trim();
    expect(line).not.toMatch(/\n/);
    expect(line).toContain(why);
    expect(line).toContain('/experiment/run_001/detector/coords');
    expect(sha256File(file)).toBe(before);
    expect(runLeftoversBeside(file)).toEqual([]);
  });

  it('--overwrite onto a group that does not hold the input: refused, overwrite only replaces a dataset', async () => {
    const file = copyFile(nested, folder, 'nested_group.h5');
    await runComputation({ file, dataset: '/experiment/run_001/detector/coords', output: '/elsewhere/distances', strategy: 'inline', workers: 1 });
    const before = sha256File(file);
    const error = await refusal(runComputation({ file, dataset: '/experiment/run_001/detector/coords', output: '/elsewhere', overwrite: true, strategy: 'inline', workers: 1 }));
    expect(error.message).toBe('nested_group.h5: /elsewhere is a group, not a dataset; overwrite only ever replaces a dataset, choose another output name');
    expect(sha256File(file)).toBe(before);
  });
});

/** Runs a shell script in its own mount namespace (as root, or mapped to root), where it may mount a small tmpfs. */
async function inMountNamespace(script: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const args = process.getuid?.() === 0 ? ['-m', 'sh', '-c', script] : ['-r', '-m', 'sh', '-c', script];
  try {
    const { stdout, stderr } = await execFileAsync('unshare', args, { cwd: projectRoot });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('a small disk (tmpfs)', () => {
  const node = process.execPath;

  it('a file that nearly fills the disk, whose output still fits: the run succeeds', async () => {
    // 16 MB file (2 M rows) on a 28 MB disk; the 8 MB output fits, a copy of the file would not.
    const mount = makeTempFolder('tmpfs-fits');
    const result = await inMountNamespace(`set -e
mount -t tmpfs -o size=28m tmpfs ${mount}
cp ${big} ${mount}/full.h5
${node} ${cliScript} run ${mount}/full.h5 --dataset /coords --strategy pool --workers 2
ls -a ${mount}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('full.h5: norm of /coords -> /distances');
    expect(result.stdout).not.toMatch(/h5blocks-log|h5blocks\.lock/);
  });

  it('an output that does not fit: one line saying the disk is full and how much the run needs; the file is byte-identical', async () => {
    const mount = makeTempFolder('tmpfs-full');
    const result = await inMountNamespace(`
mount -t tmpfs -o size=20m tmpfs ${mount} || exit 9
cp ${big} ${mount}/full.h5
sha256sum ${mount}/full.h5
${node} ${cliScript} run ${mount}/full.h5 --dataset /coords --strategy inline
echo "exit $?"
sha256sum ${mount}/full.h5
ls -a ${mount}`);
    const lines = result.stdout.trim().split('\n');
    expect(lines[1]).toBe('exit 1');
    expect(lines[0].split(' ')[0]).toBe(lines[2].split(' ')[0]);
    expect(result.stderr.trim()).toMatch(/^h5blocks: full\.h5: the disk is full: the run needs about [78]\.\d MB for its output and metadata, [\d.]+ MB free; the file is as it was$/);
    expect(lines.slice(3)).toEqual(['.', '..', 'full.h5']);
  });

  it.each([
    ['too small for the shards from the start', '', 300_000, '4\\.6'],
    ['filled by another program while shards are written', 'wait-for-shard', 50_000, '0\\.8'],
  ])('shard scratch on a disk %s: one line saying the disk is full and how much the run needs; the file is byte-identical', async (_case, when, blockRows, needed) => {
    const scratch = makeTempFolder('tmpfs-scratch');
    const file = copyFile(big, folder, `scratch_full_${when || 'start'}.h5`);
    const before = sha256File(file);
    // 2 M rows in blocks of 300,000: four shards of 1.2 MB in flight, too many for a 3 MB disk.
    // In blocks of 50,000 (40 shards, four of 0.2 MB in flight) a 12 MB disk is filled (by dd)
    // once the first shard is on it, long before the last is written, and kept full (the space
    // merged shards give back is taken again) until the run ends.
    const fill = when === 'wait-for-shard'
      ? `while ! ls ${scratch}/h5blocks-run-*/ 2>/dev/null | grep -q shard; do sleep 0.005; done
i=0
while kill -0 $RUN 2>/dev/null; do i=$((i + 1)); dd if=/dev/zero of=${scratch}/fill$i bs=4k count=4096 2>/dev/null; done &`
      : '';
    const result = await inMountNamespace(`
mount -t tmpfs -o size=${when ? '12m' : '3m'} tmpfs ${scratch} || exit 9
TMPDIR=${scratch} ${node} ${cliScript} run ${file} --dataset /coords --strategy shard --workers 2 --block-rows ${blockRows} 2>${scratch}.stderr &
RUN=$!
${fill}
wait $RUN
echo "exit $?"
cat ${scratch}.stderr
rm -f ${scratch}.stderr
ls ${scratch}`);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('exit 1');
    expect(lines[1]).toMatch(new RegExp(`^h5blocks: scratch_full_${when || 'start'}\\.h5: the disk is full: the run needs about ${needed} MB for its shard files in ${scratch}, [\\d.]+ MB free \\(set TMPDIR to a folder on a larger disk\\); the file is as it was$`));
    expect(lines.slice(2).filter((entry) => entry.startsWith('h5blocks-run-'))).toEqual([]);
    expect(sha256File(file)).toBe(before);
    expect(runLeftoversBeside(file)).toEqual([]);
  });

  it('a read-only file system: one line naming the file and the reason, never an internal file', async () => {
    const mount = makeTempFolder('tmpfs-ro');
    const result = await inMountNamespace(`
mount -t tmpfs -o size=20m tmpfs ${mount} || exit 9
cp ${join(projectRoot, 'test/fixtures/coords_1k.h5')} ${mount}/ro.h5
mount -o remount,ro ${mount}
${node} ${cliScript} run ${mount}/ro.h5 --dataset /coords
echo "exit $?"`);
    expect(result.stdout.trim()).toBe('exit 1');
    expect(result.stderr.trim()).toBe('h5blocks: ro.h5: cannot write the result: the file system holding it is read-only');
  });
});

