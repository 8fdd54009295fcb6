// The superblock's status flags and version, read and written without HDF5,
// checked against libhdf5 itself (Debian's h5py): the flags an h5py SWMR
// writer sets, the same flags cleared after that writer is killed (what
// `h5clear -s` does), and version 0 and 2 superblocks rewritten as version 3.
import { execFileSync } from 'node:child_process';
import { writeSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearStaleStatusFlags, readSuperblockStatus, upgradedSuperblock, whyNotUpgradable } from '../src/main/hdf5/superblockFlags';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';
import { startSwmrWriter } from './support/swmrWriter';

afterAll(() => removeTempFolders());

/** Whether h5py opens the file plainly (no SWMR, no h5clear), and the shape of /data or /coords. */
function h5pyOpens(path: string): string {
  return execFileSync(systemPython, ['-c', `
import h5py, sys
try:
    with h5py.File(sys.argv[1], 'r') as f:
        print('ok', f.get('data', f.get('coords')).shape)
except Exception as e:
    print('refused', str(e).splitlines()[0])
`, path], { encoding: 'utf8' }).trim();
}

describe('superblock status flags', () => {
  it('reads what a live h5py SWMR writer sets, and clears what a killed one left so that h5py opens the file again', async () => {
    const folder = makeTempFolder('sb-flags');
    const file = join(folder, 'w.h5');
    const writer = await startSwmrWriter(file, 10, 0.05);
    const status = readSuperblockStatus(file)!;
    expect(status).toMatchObject({ version: 3, writeAccess: true, swmrWrite: true });
    writer.child.kill('SIGKILL');
    await writer.closed.catch(() => undefined);
    expect(readSuperblockStatus(file)).toMatchObject({ writeAccess: true, swmrWrite: true });
    expect(h5pyOpens(file)).toMatch(/^refused/);

    expect(clearStaleStatusFlags(file)).toBe(true);
    expect(readSuperblockStatus(file)).toMatchObject({ version: 3, flags: 0, writeAccess: false, swmrWrite: false });
    expect(h5pyOpens(file)).toMatch(/^ok \(\d+, 2\)$/);
    expect(clearStaleStatusFlags(file)).toBe(false);
  }, 60_000);

  it('says a file with no writer has no flags, and an old superblock has none to set', () => {
    const folder = makeTempFolder('sb-none');
    expect(readSuperblockStatus(copyCorpus('coords_1k.h5', folder))).toMatchObject({ version: 0, flags: 0, swmrWrite: false });
    expect(readSuperblockStatus(copyCorpus('not_hdf5.h5', folder))).toBeUndefined();
  });
});

describe('superblock upgrade to version 3', () => {
  it('rewrites version 0 (h5py\'s default) and version 2 superblocks so that libhdf5 reads the same file', () => {
    const folder = makeTempFolder('sb-upgrade');
    const v0 = copyCorpus('coords_1k.h5', folder, 'v0.h5');
    const v2 = join(folder, 'v2.h5');
    execFileSync(systemPython, ['-c', `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w', libver=('v108', 'latest')) as f:
    f['coords'] = np.arange(20, dtype='<f4').reshape(10, 2)
`, v2]);
    expect(readSuperblockStatus(v2)!.version).toBe(2);
    for (const file of [v0, v2]) {
      const before = h5pyOpens(file);
      expect(whyNotUpgradable(file)).toBeUndefined();
      const upgrade = upgradedSuperblock(file)!;
      const fd = openSync(file, 'r+');
      writeSync(fd, upgrade.bytes, 0, upgrade.bytes.length, upgrade.at);
      closeSync(fd);
      expect(readSuperblockStatus(file)).toMatchObject({ version: 3, flags: 0 });
      expect(h5pyOpens(file)).toBe(before);
      expect(execFileSync('h5dump', ['-H', file], { encoding: 'utf8' })).toContain('DATASET "coords"');
      expect(upgradedSuperblock(file)).toBeUndefined();
    }
  });
});
