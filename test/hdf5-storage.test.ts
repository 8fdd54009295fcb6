// Size on disk, as libhdf5 itself reports it (h5py's get_storage_size), for
// every layout of layouts.h5: read by h5blocks from the file's layout message
// and chunk index, since h5wasm does not report it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatasetEntity } from '../src/shared/entities';
import { getEntity } from '../src/main/hdf5/entities';
import { closeQuietly, openHdf5 } from '../src/main/hdf5/files';
import type { H5File } from '../src/main/hdf5/h5wasm';
import { corpusFile, systemPython } from './support/paths';

const PATHS = ['/contiguous', '/chunked', '/chunked_odd', '/gzip', '/shuffle_gzip', '/fletcher32', '/compact', '/extendible'];
const layouts = corpusFile('layouts.h5');
let file: H5File;
let sizes: Record<string, number>;

beforeAll(async () => {
  file = await openHdf5(layouts);
  const script = `import h5py, json, sys
with h5py.File(sys.argv[1], 'r') as f:
    print(json.dumps({p: f[p].id.get_storage_size() for p in sys.argv[2:]}))`;
  sizes = JSON.parse(execFileSync(systemPython, ['-c', script, layouts, ...PATHS], { encoding: 'utf8' }));
});
afterAll(() => closeQuietly(file));

it.each(PATHS)('%s: bytes on disk equal what libhdf5 reports', async (path) => {
  const dataset = (await getEntity(file, path)) as DatasetEntity;
  expect(dataset.storageBytes).toBe(sizes[path]);
  if (path === '/gzip' || path === '/shuffle_gzip') expect(dataset.storageBytes).toBeLessThan(dataset.memoryBytes);
});
