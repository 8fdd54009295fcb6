// The virtual dataset writer's format layer: selections, mappings and the
// global heap as HDF5 encodes them, and a dataset h5wasm made turned virtual,
// read back by libhdf5 1.10 (h5py, h5dump) and by h5wasm, in both kinds of
// parent file: a libhdf5 superblock-0 file (the corpus) and one h5wasm made.
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confineTo, mayOpen } from '../src/main/hdf5/confinement';
import { loadH5, type H5Dataset, type LoadedH5 } from '../src/main/hdf5/h5wasm';
import { ByteFile, bytesAt, objectHeaderAt, readSuperblock } from '../src/main/hdf5/rawFormat';
import { collectionObject, encodeCollection } from '../src/main/hdf5/virtual/globalHeap';
import { decodeMappings, encodeMappings, type VirtualMapping } from '../src/main/hdf5/virtual/mappings';
import { decodeSelection, encodeSelection, rowsSelection } from '../src/main/hdf5/virtual/selection';
import { virtualSources } from '../src/main/hdf5/virtual/sources';
import { makeVirtual, readMappings } from '../src/main/hdf5/virtual/virtualLayout';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { h5dumpValues, libraryVds, readVds } from './support/vds';

let folder: string;
let loaded: LoadedH5;
beforeAll(async () => {
  folder = makeTempFolder('virtual');
  loaded = await loadH5();
});
afterAll(() => removeTempFolders());

describe('selections', () => {
  it('encodes "all" and version-1 hyperslabs as the specification lays them out', () => {
    expect(encodeSelection({ kind: 'all' }).toString('hex')).toBe('03000000010000000000000000000000');
    // type 2, version 1, reserved, length 16, rank 1, 1 block, start 200, inclusive end 399
    expect(encodeSelection(rowsSelection(200, 400)).toString('hex')).toBe('020000000100000000000000100000000100000001000000c80000008f010000');
  });

  it('decodes what it encodes, with the bytes each took', () => {
    const bytes = Buffer.concat([encodeSelection(rowsSelection(5, 9)), encodeSelection({ kind: 'all' })]);
    const first = decodeSelection(bytes, 0);
    expect(first.selection).toEqual({ kind: 'hyperslab', blocks: [{ start: [5], end: [8] }] });
    expect(decodeSelection(bytes, first.size)).toEqual({ selection: { kind: 'all' }, size: 16 });
  });

  it('refuses coordinates a u32 cannot hold, and hyperslab versions 1.10 cannot read', () => {
    expect(() => encodeSelection(rowsSelection(0, 2 ** 32 + 1))).toThrow(/u32/);
    const v3 = encodeSelection(rowsSelection(0, 4));
    v3.writeUInt32LE(3, 4);
    expect(() => decodeSelection(v3, 0)).toThrow(/version 3/);
  });
});

describe('mappings and the global heap', () => {
  it('encodes mappings byte for byte as libhdf5 does, checksum included', async () => {
    const libraryObject = await libraryVds(join(folder, 'library.h5'), 10, 4);
    const decoded = decodeMappings(libraryObject, 8);
    expect(decoded.map((m) => m.file)).toEqual(['library.h5.sources/s0.h5', 'library.h5.sources/s4.h5', 'library.h5.sources/s8.h5']);
    expect(decoded[2].virtual).toEqual(rowsSelection(8, 10));
    expect(encodeMappings(decoded, 8).equals(libraryObject)).toBe(true);
  });

  it('refuses mappings whose checksum does not match', () => {
    const bytes = encodeMappings([{ file: 'a.h5', dataset: '/values', source: { kind: 'all' }, virtual: rowsSelection(0, 3) }], 8);
    bytes[3] ^= 1;
    expect(() => decodeMappings(bytes, 8)).toThrow(/checksum/);
  });

  it('makes a collection of at least 4096 bytes whose free space counts its own header', () => {
    const object = Buffer.alloc(177, 7);
    const collection = encodeCollection(object, 8);
    expect(collection.length).toBe(4096);
    expect(collection.subarray(0, 5).toString('latin1')).toBe('GCOL\u0001');
    expect(Number(collection.readBigUInt64LE(8))).toBe(4096);
    const freeAt = 16 + 16 + 184;
    expect(collection.readUInt16LE(freeAt)).toBe(0);
    expect(Number(collection.readBigUInt64LE(freeAt + 8))).toBe(4096 - freeAt);
    expect(collectionObject(collection, 1, 8).equals(object)).toBe(true);
    expect(encodeCollection(Buffer.alloc(5000), 8).length).toBeGreaterThan(5000 + 32);
  });
});

type Parent = 'corpus (libhdf5, superblock 0)' | 'new file made by h5wasm (superblock 2)' | 'corpus, version-1 object headers';
const PARENTS: Parent[] = ['corpus (libhdf5, superblock 0)', 'new file made by h5wasm (superblock 2)', 'corpus, version-1 object headers'];

/** A parent file with /distances turned virtual over 3 shard files in data.h5blocks/distances/. */
async function virtualParent(parent: Parent, where: string): Promise<{ file: string; values: Float64Array }> {
  const { h5 } = loaded;
  mkdirSync(join(where, 'data.h5blocks', 'distances'), { recursive: true });
  let file: string;
  if (parent === 'new file made by h5wasm (superblock 2)') {
    file = join(where, 'data.h5');
    const made = new h5.File(file, 'w');
    made.create_dataset({ name: 'coords', data: new Float64Array(20), shape: [10, 2] });
    made.close();
  } else {
    file = copyCorpus('coords_1k.h5', where, 'data.h5');
  }
  const values = Float64Array.from({ length: 10 }, (_, i) => Math.sqrt(i) + 0.1);
  const mappings: VirtualMapping[] = [];
  for (const [start, end] of [[0, 4], [4, 8], [8, 10]]) {
    const name = `data.h5blocks/distances/run1-${start}.h5`;
    const shard = new h5.File(join(where, name), 'w');
    shard.create_dataset({ name: 'values', data: values.slice(start, end) });
    shard.close();
    mappings.push({ file: name, dataset: '/values', source: { kind: 'all' }, virtual: rowsSelection(start, end) });
  }
  const handle = parent === 'corpus, version-1 object headers' ? new h5.File(file, 'a', { libver: ['earliest', 'v110'] }) : new h5.File(file, 'a');
  const dataset = handle.create_dataset({ name: 'distances', data: new Float64Array(0), shape: [0], dtype: '<d' });
  dataset.create_attribute('h5blocks_strategy', 'vds');
  handle.close();
  const store = new ByteFile(file, 'r+');
  try {
    makeVirtual(store, '/distances', values.length, mappings);
  } finally {
    store.close();
  }
  return { file, values };
}

describe.each(PARENTS)('a virtual /distances in a %s', (parent) => {
  let file: string;
  let values: Float64Array;
  let where: string;
  beforeAll(async () => {
    where = join(folder, parent.replace(/\W+/g, '-'));
    mkdirSync(where);
    ({ file, values } = await virtualParent(parent, where));
  });

  it('has the object header kind the parent implies', () => {
    const store = new ByteFile(file);
    try {
      const sb = readSuperblock(store);
      const header = bytesAt(store, objectHeaderAt(store, sb, '/distances')!, 4).toString('latin1');
      expect(sb.version).toBe(parent.startsWith('new file') ? 2 : 0);
      expect(header === 'OHDR').toBe(!parent.includes('version-1'));
    } finally {
      store.close();
    }
  });

  it('h5py (HDF5 1.10) sees a virtual dataset, its relative sources and the exact values', async () => {
    const read = await readVds(file, '/distances');
    expect(read.is_virtual).toBe(true);
    expect(read.shape).toEqual([10]);
    expect(read.dtype).toBe('<f8');
    expect(read.sources.map(([f]) => f)).toEqual(['data.h5blocks/distances/run1-0.h5', 'data.h5blocks/distances/run1-4.h5', 'data.h5blocks/distances/run1-8.h5']);
    expect(read.bytes.equals(Buffer.from(values.buffer))).toBe(true);
    expect(read.attributes).toContain('h5blocks_strategy');
  });

  it('h5dump (1.10) prints the values', async () => {
    expect(await h5dumpValues(file, '/distances')).toEqual([...values]);
  });

  it('h5wasm reads the values and lists the sources', () => {
    const handle = new loaded.h5.File(file, 'r');
    try {
      const dataset = handle.get('distances') as H5Dataset;
      expect(dataset.metadata.virtual_sources?.map((s) => s.file_name)).toHaveLength(3);
      expect([...(dataset.value as Float64Array)]).toEqual([...values]);
    } finally {
      handle.close();
    }
  });

  it('the file still passes h5py reads of its other objects and its mappings decode', async () => {
    const store = new ByteFile(file);
    try {
      expect(readMappings(store, '/distances')?.map((m) => m.virtual)).toEqual([rowsSelection(0, 4), rowsSelection(4, 8), rowsSelection(8, 10)]);
      expect(readMappings(store, '/coords')).toBeUndefined();
    } finally {
      store.close();
    }
    expect((await readVds(file, '/coords')).is_virtual).toBe(false);
  });

  it('reads the same after the file moves together with its folder, and names missing sources when moved alone', async () => {
    const moved = join(where, 'moved');
    mkdirSync(moved);
    renameSync(file, join(moved, 'data.h5'));
    renameSync(join(where, 'data.h5blocks'), join(moved, 'data.h5blocks'));
    const read = await readVds(join(moved, 'data.h5'), '/distances');
    expect(read.bytes.equals(Buffer.from(values.buffer))).toBe(true);
    expect(virtualSources(join(moved, 'data.h5'), '/distances')?.every((s) => !s.missing)).toBe(true);

    const alone = join(where, 'alone');
    mkdirSync(alone);
    renameSync(join(moved, 'data.h5'), join(alone, 'data.h5'));
    const sources = virtualSources(join(alone, 'data.h5'), '/distances')!;
    expect(sources.filter((s) => s.missing).map((s) => s.file)).toEqual(['data.h5blocks/distances/run1-0.h5', 'data.h5blocks/distances/run1-4.h5', 'data.h5blocks/distances/run1-8.h5']);
    renameSync(join(alone, 'data.h5'), file);
    renameSync(join(moved, 'data.h5blocks'), join(where, 'data.h5blocks'));
    expect(readFileSync(file).length).toBeGreaterThan(4096);
  });
});

describe('serve confinement of a file named on its command line', () => {
  it('lets HDF5 open the file\'s shard folder, and nothing else beside it', () => {
    const file = join(folder, 'named', 'data.h5');
    mkdirSync(join(folder, 'named', 'data.h5blocks', 'distances'), { recursive: true });
    confineTo({ roots: [join(folder, 'root')], files: [file] });
    try {
      expect(mayOpen(file)).toBe(true);
      expect(mayOpen(join(folder, 'named', 'data.h5blocks', 'distances', 'run-block-000000.h5'))).toBe(true);
      expect(mayOpen(join(folder, 'named', 'other.h5'))).toBe(false);
      expect(mayOpen(join(folder, 'named', 'other.h5blocks', 'distances', 'run-block-000000.h5'))).toBe(false);
    } finally {
      confineTo(undefined);
    }
  });
});
