// h5web's provider over H5BlocksApi: what h5web is told about real corpus
// objects (entities from `h5blocks tree --json`), and how it reads values and
// attributes through the API.
import { DTypeClass, EntityKind, ShapeClass, type Dataset, type GroupWithChildren } from '@h5web/app';
import { beforeAll, describe, expect, it } from 'vitest';
import { H5BlocksProvider, MAX_SELECTION_VALUES, VALUES_PER_REQUEST } from '../src/renderer/src/h5web/provider';
import { selectionRanges, windows } from '../src/renderer/src/h5web/selection';
import type { DatasetEntity, Entity } from '../src/shared/entities';
import { corpusEntities, FakeApi } from './ui-fakeApi';

let structure: Map<string, Entity>;
let dtypes: Map<string, Entity>;

beforeAll(() => {
  structure = corpusEntities('structure.h5');
  dtypes = corpusEntities('dtypes.h5');
});

function providerFor(entities: Map<string, Entity>, name = 'test.h5') {
  const fake = new FakeApi({ files: [{ name, entities }] });
  return { fake, provider: new H5BlocksProvider(fake.api, fake.files[0].file) };
}

function valueRequests(fake: FakeApi): [number, number][][] {
  return fake.calls.filter((c) => c.method === 'getValue').map((c) => c.args[2] as [number, number][]);
}

describe('entities as h5web sees them', () => {
  it('describes a dataset with its shape, type in bits, chunks, filters and attributes', async () => {
    const { provider } = providerFor(structure, 'structure.h5');
    const coords = await provider.getEntity('/experiment/run_001/detector/coords') as Dataset;
    expect(coords.kind).toBe(EntityKind.Dataset);
    expect(coords.name).toBe('coords');
    expect(coords.shape).toEqual({ class: ShapeClass.Array, dims: [2048, 2] });
    expect(coords.type).toEqual({ class: DTypeClass.Float, size: 32, endianness: 'little-endian' });
    expect(coords.attributes.map((a) => a.name).sort()).toEqual(['origin', 'units']);
    expect(await provider.getAttrValues(coords)).toEqual({ units: 'mm', origin: [0, 0] });
  });

  it('maps every dtype class of the corpus to h5web’s', async () => {
    const { provider } = providerFor(structure, 'structure.h5');
    const type = async (path: string) => ((await provider.getEntity(path)) as Dataset).type;
    expect(await type('/colors')).toEqual({
      class: DTypeClass.Enum, base: { class: DTypeClass.Integer, signed: false, size: 8, endianness: undefined }, mapping: { 0: 'RED', 1: 'GREEN', 2: 'BLUE' },
    });
    expect(await type('/names')).toEqual({ class: DTypeClass.String, charSet: 'UTF-8', strPad: undefined });
    expect(await type('/refs')).toEqual({ class: DTypeClass.Reference });
    expect(await type('/ragged')).toEqual({ class: DTypeClass.VLen, base: { class: DTypeClass.Float, size: 32, endianness: 'little-endian' } });
    const pointType = await provider.getEntity('/point_t');
    expect(pointType.kind).toBe(EntityKind.Datatype);
    expect((pointType as { type: { class: string; fields: Map<string, unknown> } }).type.fields.get('x')).toEqual({ class: DTypeClass.Float, size: 64, endianness: 'little-endian' });

    const { provider: typed } = providerFor(dtypes, 'dtypes.h5');
    const dtype = async (path: string) => ((await typed.getEntity(path)) as Dataset).type;
    expect(await dtype('/be_i2')).toEqual({ class: DTypeClass.Integer, signed: true, size: 16, endianness: 'big-endian' });
    expect(await dtype('/le_u8')).toEqual({ class: DTypeClass.Integer, signed: false, size: 64, endianness: 'little-endian' });
    expect(await dtype('/le_f2')).toEqual({ class: DTypeClass.Float, size: 16, endianness: 'little-endian' });
    expect(await dtype('/strings')).toEqual({ class: DTypeClass.String, charSet: 'ASCII', strPad: undefined, length: 3 });
    expect((await dtype('/compound_xy')).class).toBe(DTypeClass.Compound);
    expect((await typed.getEntity('/scalar') as Dataset).shape).toEqual({ class: ShapeClass.Scalar, dims: [] });
  });

  it('sees a complex compound (r, i) as complex and a boolean enum as boolean', () => {
    const complexDataset: DatasetEntity = {
      ...(dtypes.get('/le_f4') as DatasetEntity), path: '/z', name: 'z', shape: [4],
      dtype: { class: 'compound', size: 8, description: 'complex', members: [
        { name: 'r', dtype: { class: 'float', size: 4, endianness: 'little', description: '' } },
        { name: 'i', dtype: { class: 'float', size: 4, endianness: 'little', description: '' } },
      ] },
    };
    const flags: DatasetEntity = {
      ...complexDataset, path: '/flags', name: 'flags',
      dtype: { class: 'enum', size: 1, enumMembers: { FALSE: 0, TRUE: 1 }, description: 'bool' },
    };
    const { provider } = providerFor(new Map<string, Entity>([['/z', complexDataset], ['/flags', flags]]));
    return Promise.all([
      provider.getEntity('/z').then((e) => expect((e as Dataset).type).toEqual({
        class: DTypeClass.Complex,
        realType: { class: DTypeClass.Float, size: 32, endianness: 'little-endian' },
        imagType: { class: DTypeClass.Float, size: 32, endianness: 'little-endian' },
      })),
      provider.getEntity('/flags').then((e) => expect((e as Dataset).type.class).toBe(DTypeClass.Bool)),
    ]);
  });

  it('lists a group’s children whole, follows soft links and leaves external and broken links unresolved', async () => {
    const { fake, provider } = providerFor(structure, 'structure.h5');
    const experiment = await provider.getEntity('/experiment') as GroupWithChildren;
    const byName = Object.fromEntries(experiment.children.map((c) => [c.name, c]));
    expect(byName.run_001.kind).toBe(EntityKind.Group);
    expect(byName.latest).toMatchObject({ kind: EntityKind.Dataset, path: '/experiment/latest', link: { class: 'Soft', path: '/experiment/run_001/detector/coords' } });
    expect((byName.latest as Dataset).shape).toEqual({ class: ShapeClass.Array, dims: [2048, 2] });
    expect(byName.dangling.kind).toBe(EntityKind.Unresolved);
    expect(byName.external.kind).toBe(EntityKind.Unresolved);

    const external = await provider.getEntity('/experiment/external');
    expect(external).toMatchObject({ kind: EntityKind.Unresolved, link: { class: 'External', file: 'coords_1k.h5', path: '/coords' } });

    // A group of 2,000 subgroups costs one request, not 2,001.
    const before = fake.entityRequests().length;
    const many = await provider.getEntity('/many') as GroupWithChildren;
    expect(many.children).toHaveLength(2000);
    expect(fake.entityRequests().length - before).toBe(1);
  });
});

describe('values through the API', () => {
  it('reads a slice of a 3-D dataset as the 2-D array h5web maps', async () => {
    const { fake, provider } = providerFor(dtypes, 'dtypes.h5');
    const cube = await provider.getEntity('/cube_3d') as Dataset<never>;
    const value = await provider.getValue({ dataset: cube, selection: '3,:,:' });
    expect(valueRequests(fake)).toEqual([[[3, 4], [0, 20], [0, 2]]]);
    expect(value).toBeInstanceOf(Float32Array);
    expect(Array.from(value as Float32Array).slice(0, 3)).toEqual([0, 1 / 8, 2 / 8]);
  });

  it('reads a large selection in windows the API accepts, in order, and refuses one too large to show', async () => {
    const big = { ...(dtypes.get('/le_i2') as DatasetEntity), path: '/big', name: 'big', shape: [3_000_000, 2] };
    const { fake, provider } = providerFor(new Map<string, Entity>([['/big', big]]));
    const dataset = await provider.getEntity('/big') as Dataset<never>;
    const progress: number[] = [];
    const value = await provider.getValue({ dataset }, undefined, (p) => progress.push(p));
    const requests = valueRequests(fake);
    expect(requests).toEqual([[[0, 500_000], [0, 2]], [[500_000, 1_000_000], [0, 2]], [[1_000_000, 1_500_000], [0, 2]],
      [[1_500_000, 2_000_000], [0, 2]], [[2_000_000, 2_500_000], [0, 2]], [[2_500_000, 3_000_000], [0, 2]]]);
    expect(value).toBeInstanceOf(Int16Array);
    expect((value as Int16Array).length).toBe(6_000_000);
    expect(progress.at(-1)).toBe(1);

    const huge = { ...big, path: '/huge', name: 'huge', shape: [MAX_SELECTION_VALUES, 2] };
    const { provider: hugeProvider } = providerFor(new Map<string, Entity>([['/huge', huge]]), 'huge.h5');
    const hugeDataset = await hugeProvider.getEntity('/huge') as Dataset<never>;
    await expect(hugeProvider.getValue({ dataset: hugeDataset })).rejects.toThrow(/huge\.h5: \/huge: 24,000,000 values are too many to show at once .*choose a slice/);
    // A column of it is fine.
    expect(selectionRanges([MAX_SELECTION_VALUES, 2], ':,1')).toEqual([[0, MAX_SELECTION_VALUES], [1, 2]]);
  });

  it('cuts windows on the outermost dimension that fits, never past the per-request limit', () => {
    const parts = windows([[0, 3], [0, 700], [0, 2000]], VALUES_PER_REQUEST);
    expect(parts[0]).toEqual([[0, 1], [0, 500], [0, 2000]]);
    expect(parts[1]).toEqual([[0, 1], [500, 700], [0, 2000]]);
    expect(parts).toHaveLength(6);
    const elements = parts.map((w) => w.reduce((n, [a, b]) => n * (b - a), 1));
    expect(Math.max(...elements)).toBeLessThanOrEqual(VALUES_PER_REQUEST);
    expect(elements.reduce((a, b) => a + b)).toBe(3 * 700 * 2000);
    expect(() => selectionRanges([4, 5], '9,:')).toThrow(/index 9 is outside dimension 0 of size 4/);
  });

  it('exports what h5web has on screen with its own CSV exporter', async () => {
    const { provider } = providerFor(dtypes, 'dtypes.h5');
    const dataset = await provider.getEntity('/vector_1d') as Dataset;
    const url = provider.getExportURL('csv', dataset, undefined, () => 'a,b\n1,2\n');
    const blob = await (url as () => Promise<Blob>)();
    expect(await blob.text()).toBe('a,b\n1,2\n');
    expect(provider.getExportURL('npy', dataset)).toBeUndefined();
  });
});
