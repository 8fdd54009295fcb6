// Links of a group stored densely (a fractal heap: libhdf5 does so past 8
// links) read from the file's bytes, as the tree needs them to tell a
// user-defined link from a group: every link libhdf5 lists, with its type.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkTypes } from '../src/main/hdf5/rawFormat';
import { makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';

afterAll(removeTempFolders);

/** A group of `count` links written by libhdf5 (h5py, latest format): hard, soft and external in turn. */
function denseGroup(count: number): string {
  const file = join(makeTempFolder('dense-links'), `links${count}.h5`);
  execFileSync(systemPython, ['-c', `
import h5py, sys
with h5py.File(sys.argv[1], 'w', libver='latest') as f:
    g = f.create_group('g')
    for i in range(${count}):
        name = 'link_%05d' % i
        if i % 3 == 0: g.create_group(name)
        elif i % 3 == 1: g[name] = h5py.SoftLink('/g')
        else: g[name] = h5py.ExternalLink('other.h5', '/x')
`, file]);
  return file;
}

describe('dense link storage', () => {
  it.each([20, 3000])('lists all %i links of a dense group with their types (hard 0, soft 1, external 64)', (count) => {
    const types = linkTypes(denseGroup(count), '/g');
    const expected = new Map(Array.from({ length: count }, (_, i) => [`link_${String(i).padStart(5, '0')}`, [0, 1, 64][i % 3]] as const));
    expect(types).toEqual(expected);
  });
});
