// The tree and inspector (getEntity) against what libhdf5, through h5py, says about the same objects.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEntity } from '../src/main/hdf5/entities';
import { closeQuietly, openHdf5 } from '../src/main/hdf5/files';
import type { H5File } from '../src/main/hdf5/h5wasm';
import type { Attribute, DatasetEntity, Entity } from '../src/shared/entities';
import { H5BlocksError } from '../src/shared/errors';
import { corpusDir, corpusFile } from './support/paths';
import { describe as describeWithH5py, type Described } from './support/reference';

type DescribedDataset = Extract<Described, { kind: 'dataset' }>;

function attributeValues(attributes: Attribute[]): Record<string, unknown> {
  return Object.fromEntries(attributes.map((a) => [a.name, a.value]));
}

function asDataset(entity: Entity): DatasetEntity {
  expect(entity.kind).toBe('dataset');
  return entity as DatasetEntity;
}

const STRUCTURE_PATHS = [
  '/', '/experiment', '/experiment/run_001', '/experiment/run_001/detector', '/experiment/run_001/detector/coords',
  '/experiment/latest', '/experiment/dangling', '/experiment/external', '/experiment/external_missing',
  '/données', '/données/測定', '/point_t', '/names', '/colors', '/refs', '/ragged', '/many', '/many/g0000', '/many/g1999',
];

describe('structure.h5', () => {
  let file: H5File;
  let h5py: Record<string, Described>;

  beforeAll(async () => {
    file = await openHdf5(corpusFile('structure.h5'));
    h5py = await describeWithH5py(corpusFile('structure.h5'), STRUCTURE_PATHS);
  });
  afterAll(() => closeQuietly(file));

  it('the root group lists its children and attributes of several types with their values', async () => {
    const root = await getEntity(file, '/');
    const expected = h5py['/'] as Extract<Described, { kind: 'group' }>;
    expect(root.kind).toBe('group');
    if (root.kind !== 'group') return;
    expect(root.children.map((c) => c.name).sort()).toEqual(expected.children);
    expect(attributeValues(root.attributes)).toEqual(expected.attributes);
    const byName = Object.fromEntries(root.attributes.map((a) => [a.name, a]));
    expect(byName.version.dtype).toMatchObject({ class: 'integer', size: 4, signed: true });
    expect(byName.ratios.dtype).toMatchObject({ class: 'float', size: 8 });
    expect(byName.ratios.shape).toEqual([2]);
    expect(byName.title.dtype.class).toBe('string');
    expect(byName.utf8_note.value).toBe('mesure à 25 °C — ok');
  });

  it('nested groups lead down to a dataset with its attributes', async () => {
    for (const path of ['/experiment', '/experiment/run_001', '/experiment/run_001/detector']) {
      const group = await getEntity(file, path);
      const expected = h5py[path] as Extract<Described, { kind: 'group' }>;
      expect(group.kind, path).toBe('group');
      if (group.kind === 'group') expect(group.children.map((c) => c.name).sort(), path).toEqual(expected.children);
    }
    const coords = asDataset(await getEntity(file, '/experiment/run_001/detector/coords'));
    const expected = h5py['/experiment/run_001/detector/coords'] as DescribedDataset;
    expect(coords.shape).toEqual(expected.shape);
    expect(coords.dtype.numpy).toBe(expected.dtype);
    expect(attributeValues(coords.attributes)).toEqual(expected.attributes);
    expect(coords.memoryBytes).toBe(2048 * 2 * 4);
  });

  it('UTF-8 group and dataset names are kept exactly', async () => {
    const root = await getEntity(file, '/');
    expect(root.kind === 'group' && root.children.find((c) => c.name === 'données')?.kind).toBe('group');
    const group = await getEntity(file, '/données');
    expect(group.kind === 'group' && group.children).toEqual([{ name: '測定', path: '/données/測定', kind: 'dataset' }]);
    const dataset = asDataset(await getEntity(file, '/données/測定'));
    expect(dataset.name).toBe('測定');
    expect(dataset.shape).toEqual((h5py['/données/測定'] as DescribedDataset).shape);
  });

  it('a soft link shows its target; a dangling one shows as broken', async () => {
    const latest = await getEntity(file, '/experiment/latest');
    expect(h5py['/experiment/latest']).toMatchObject({ link: 'soft', resolves: true });
    expect(latest).toMatchObject({ kind: 'soft-link', target: (h5py['/experiment/latest'] as { target: string }).target });

    const dangling = await getEntity(file, '/experiment/dangling');
    expect(h5py['/experiment/dangling']).toMatchObject({ link: 'soft', resolves: false });
    expect(dangling).toMatchObject({ kind: 'broken-link', target: '/does/not/exist' });

    const experiment = await getEntity(file, '/experiment');
    const kinds = experiment.kind === 'group' ? Object.fromEntries(experiment.children.map((c) => [c.name, c.kind])) : {};
    expect(kinds).toMatchObject({ latest: 'soft-link', dangling: 'broken-link', external: 'external-link', external_missing: 'external-link', run_001: 'group' });
  });

  it('external links show file and target, and whether the file is there', async () => {
    for (const path of ['/experiment/external', '/experiment/external_missing']) {
      const expected = h5py[path] as Extract<Described, { link: 'external' }>;
      const entity = await getEntity(file, path);
      expect(entity, path).toMatchObject({
        kind: 'external-link', file: expected.file, target: expected.target,
        resolvable: existsSync(join(corpusDir, expected.file)),
      });
    }
    expect(await getEntity(file, '/experiment/external')).toMatchObject({ resolvable: true });
    expect(await getEntity(file, '/experiment/external_missing')).toMatchObject({ resolvable: false });
  });

  it('a named datatype shows as a datatype with its compound members', async () => {
    const pointType = await getEntity(file, '/point_t');
    const expected = h5py['/point_t'] as Extract<Described, { kind: 'datatype' }>;
    expect(pointType.kind).toBe('datatype');
    if (pointType.kind !== 'datatype') return;
    expect(pointType.dtype.class).toBe('compound');
    expect(pointType.dtype.members?.map((m) => m.name)).toEqual(expected.fields);
    expect(pointType.dtype.members?.map((m) => m.dtype.numpy)).toEqual(['<f8', '<f8']);
  });

  it('variable-length strings, enums, object references and ragged arrays have the right types', async () => {
    const names = asDataset(await getEntity(file, '/names'));
    expect((h5py['/names'] as DescribedDataset).vlen).toBe('string');
    expect(names.dtype).toMatchObject({ class: 'string', variableLength: true, charset: 'utf-8' });
    expect(names.shape).toEqual([3]);

    const colors = asDataset(await getEntity(file, '/colors'));
    expect(colors.dtype.class).toBe('enum');
    expect(colors.dtype.enumMembers).toEqual((h5py['/colors'] as DescribedDataset).enum);

    const refs = asDataset(await getEntity(file, '/refs'));
    expect((h5py['/refs'] as DescribedDataset).reference).toBe(true);
    expect(refs.dtype).toMatchObject({ class: 'reference', referenceKind: 'object' });

    const ragged = asDataset(await getEntity(file, '/ragged'));
    expect(ragged.dtype.class).toBe('vlen');
    expect(ragged.dtype.base?.numpy).toBe((h5py['/ragged'] as DescribedDataset).vlen);
    expect(ragged.shape).toEqual([3]);
  });

  it('the values of vlen strings and enums read as h5py reads them', async () => {
    const names = file.get('/names') as unknown as { value: unknown };
    expect(names.value).toEqual(['alpha', 'beta', 'γάμμα']);
    const colors = file.get('/colors') as unknown as { value: ArrayLike<number> };
    expect(Array.from(colors.value)).toEqual([0, 1, 2, 1]);
  });

  it('a group with 2,000 children lists them all, each with its attribute', async () => {
    const many = await getEntity(file, '/many');
    const expected = h5py['/many'] as Extract<Described, { kind: 'group' }>;
    expect(many.kind).toBe('group');
    if (many.kind !== 'group') return;
    expect(many.children).toHaveLength(2000);
    expect(many.children.map((c) => c.name).sort()).toEqual(expected.children);
    expect(new Set(many.children.map((c) => c.kind))).toEqual(new Set(['group']));
    for (const path of ['/many/g0000', '/many/g1999']) {
      const child = await getEntity(file, path);
      expect(child.kind === 'group' && attributeValues(child.attributes), path).toEqual((h5py[path] as { attributes: unknown }).attributes);
    }
  });

  it('a path that is not there is refused as not-found, naming the file and the path', async () => {
    const error = await getEntity(file, '/experiment/nothing').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(H5BlocksError);
    expect((error as H5BlocksError).code).toBe('not-found');
    expect((error as H5BlocksError).message).toMatch(/structure\.h5.*\/experiment\/nothing/);
    expect((error as H5BlocksError).message).not.toMatch(/\n/);
  });
});

describe('layouts.h5: chunk shapes and filters', () => {
  const LAYOUT_PATHS = ['/contiguous', '/chunked', '/chunked_odd', '/gzip', '/shuffle_gzip', '/fletcher32', '/compact', '/extendible'];
  let file: H5File;
  let h5py: Record<string, Described>;

  beforeAll(async () => {
    file = await openHdf5(corpusFile('layouts.h5'));
    h5py = await describeWithH5py(corpusFile('layouts.h5'), LAYOUT_PATHS);
  });
  afterAll(() => closeQuietly(file));

  it.each(LAYOUT_PATHS)('%s: shape, chunks and filter pipeline as h5py reports them', async (path) => {
    const dataset = asDataset(await getEntity(file, path));
    const expected = h5py[path] as DescribedDataset;
    expect(dataset.shape).toEqual(expected.shape);
    expect(dataset.chunks).toEqual(expected.chunks);
    expect(dataset.filters.map((f) => f.id)).toEqual(expected.filters);
    expect(dataset.dtype.numpy).toBe(expected.dtype);
    // h5py names the layout libhdf5 stored; h5blocks reads compact vs contiguous from the layout message itself.
    expect(dataset.layout).toBe(expected.layout);
  });

  it('names the filters: shuffle then deflate, fletcher32, and deflate with its level', async () => {
    const shuffleGzip = asDataset(await getEntity(file, '/shuffle_gzip'));
    expect(shuffleGzip.filters.map((f) => f.name)).toEqual(['shuffle', 'deflate']);
    expect(shuffleGzip.filters[0].cdValues).toEqual([4]); // shuffle's element size
    const fletcher = asDataset(await getEntity(file, '/fletcher32'));
    expect(fletcher.filters.map((f) => f.name)).toEqual(['fletcher32']);
    const gzip = asDataset(await getEntity(file, '/gzip'));
    expect(gzip.filters).toEqual([{ id: 1, name: 'deflate', cdValues: [6] }]);
  });

  it('an extendible dataset has an unlimited first dimension', async () => {
    const extendible = asDataset(await getEntity(file, '/extendible'));
    expect((h5py['/extendible'] as DescribedDataset).maxshape).toEqual([-1, 2]);
    expect(extendible.maxShape?.[1]).toBe(2);
    // h5wasm reports H5S_UNLIMITED as 2^64 − 1.
    expect(extendible.maxShape?.[0]).toBeGreaterThanOrEqual(2 ** 63);
  });
});

describe('dtypes.h5: element types and byte order', () => {
  const NUMERIC = ['/le_f2', '/le_f4', '/be_f4', '/le_f8', '/be_f8', '/le_i1', '/le_u1', '/le_i2', '/be_i2', '/le_i4', '/le_u4', '/le_i8', '/le_u8'];
  let file: H5File;
  let h5py: Record<string, Described>;

  beforeAll(async () => {
    file = await openHdf5(corpusFile('dtypes.h5'));
    h5py = await describeWithH5py(corpusFile('dtypes.h5'), [...NUMERIC, '/compound_xy', '/strings']);
  });
  afterAll(() => closeQuietly(file));

  it.each(NUMERIC)('%s: class, size, signedness and endianness match numpy\'s dtype', async (path) => {
    const dataset = asDataset(await getEntity(file, path));
    const expected = h5py[path] as DescribedDataset;
    expect(dataset.dtype.numpy).toBe(expected.dtype);
    expect(dataset.dtype.size).toBe(Number(expected.dtype.slice(2)));
    expect(dataset.dtype.class).toBe(expected.dtype[1] === 'f' ? 'float' : 'integer');
    if (expected.dtype[1] !== 'f') expect(dataset.dtype.signed).toBe(expected.dtype[1] === 'i');
    if (expected.endianness !== 'none') expect(dataset.dtype.endianness).toBe(expected.endianness);
    expect(dataset.dtype.description).toMatch(expected.endianness === 'big' ? /big-endian/ : expected.endianness === 'little' ? /little-endian/ : /^8-bit/);
  });

  it('compound and fixed-length string datasets describe their members and sizes', async () => {
    const compound = asDataset(await getEntity(file, '/compound_xy'));
    expect(compound.dtype.members?.map((m) => [m.name, m.dtype.numpy])).toEqual([['x', '<f4'], ['y', '<f4'], ['label', '|S8']]);
    const strings = asDataset(await getEntity(file, '/strings'));
    expect(strings.dtype).toMatchObject({ class: 'string', size: 3, variableLength: false, numpy: (h5py['/strings'] as DescribedDataset).dtype });
  });
});
