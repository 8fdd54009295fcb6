// Third-party compression filters (h5wasm-plugins): every sample file's DS1 reads,
// and matches the values h5dump printed when the sample was made (.ddl beside it).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEntity } from '../src/main/hdf5/entities';
import { closeQuietly, openHdf5 } from '../src/main/hdf5/files';
import { loadH5, type H5Dataset } from '../src/main/hdf5/h5wasm';
import { readRows } from '../src/main/hdf5/rows';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import type { DatasetEntity } from '../src/shared/entities';
import { ddlDataValues, ddlShape } from './support/ddl';
import { copyFile, makeTempFolder, removeTempFolders } from './support/files';
import { mismatches } from './support/floats';
import { corpusDir } from './support/paths';

const filtersDir = join(corpusDir, 'filters');
const samples = readdirSync(filtersDir).filter((name) => name.endsWith('.h5')).sort();
const withDdl = samples.filter((name) => existsSync(join(filtersDir, name.replace(/\.h5$/, '.ddl'))));
const withoutDdl = samples.filter((name) => !withDdl.includes(name));

function ddlOf(name: string): string {
  return readFileSync(join(filtersDir, name.replace(/\.h5$/, '.ddl')), 'utf8');
}

/** A typed view of raw little-endian elements, by the numpy code getEntity reports. */
function elementsOf(buffer: ArrayBuffer, numpy: string): ArrayLike<number> {
  switch (numpy) {
    case '<i4': return new Int32Array(buffer);
    case '<f4': return new Float32Array(buffer);
    case '|u1': return new Uint8Array(buffer);
    default: throw new Error(`no view for ${numpy}`);
  }
}

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

it('the corpus has the filter samples this test expects', () => {
  expect(samples).toEqual(expect.arrayContaining(['h5ex_d_blosc.h5', 'h5ex_d_bshuf.h5', 'h5ex_d_bzip2.h5', 'h5ex_d_jpeg.h5', 'h5ex_d_lz4.h5', 'h5ex_d_lzf.h5', 'h5ex_d_zfp.h5', 'h5ex_d_zstd.h5']));
  expect(withDdl.length).toBeGreaterThanOrEqual(6);
});

describe.each(withDdl)('%s (with h5dump reference)', (name) => {
  let ddl: string;
  let entity: DatasetEntity;

  beforeAll(async () => {
    ddl = ddlOf(name);
    const file = await openHdf5(join(filtersDir, name));
    try {
      entity = (await getEntity(file, '/DS1')) as DatasetEntity;
    } finally {
      closeQuietly(file);
    }
  });

  it('getEntity shows the shape and the filter h5dump lists', () => {
    expect(entity.kind).toBe('dataset');
    expect(entity.shape).toEqual(ddlShape(ddl));
    const ids = [...ddl.matchAll(/FILTER_ID (\d+)/g)].map((m) => Number(m[1]));
    expect(entity.filters.map((f) => f.id)).toEqual(ids);
    expect(entity.layout).toBe('chunked');
  });

  it('Dataset.value and the engine\'s readRows both give h5dump\'s values', async () => {
    const expected = ddlDataValues(ddl);
    const { module } = await loadH5();
    const file = await openHdf5(join(filtersDir, name));
    try {
      const dataset = file.get('/DS1') as H5Dataset;
      expect(Array.from(dataset.value as ArrayLike<number>)).toEqual(expected);
      const [rows, columns] = entity.shape!;
      const buffer = readRows(module, file, '/DS1', entity.dtype.size, [columns], 0, rows);
      expect(Array.from(elementsOf(buffer, entity.dtype.numpy!))).toEqual(expected);
      // A block in the middle: filters decode chunk by chunk, and 5..13 straddles chunk rows.
      const middle = readRows(module, file, '/DS1', entity.dtype.size, [columns], 5, 8);
      expect(Array.from(elementsOf(middle, entity.dtype.numpy!))).toEqual(expected.slice(5 * columns, 13 * columns));
    } finally {
      closeQuietly(file);
    }
  });
});

describe.each(withoutDdl)('%s (no h5dump reference)', (name) => {
  it('reads completely through its filter plugin: every element, not just fill values', async () => {
    const file = await openHdf5(join(filtersDir, name));
    try {
      const entity = (await getEntity(file, '/DS1')) as DatasetEntity;
      expect(entity.filters.length).toBeGreaterThan(0);
      expect(entity.filters[0].id).toBeGreaterThanOrEqual(256); // a registered third-party filter, not a built-in
      const values = (file.get('/DS1') as H5Dataset).value as ArrayLike<number>;
      expect(values.length).toBe(entity.shape!.reduce((a, b) => a * b, 1));
      // A filter that failed silently would leave the fill value (0) everywhere.
      expect(new Set(Array.from(values)).size).toBeGreaterThan(100);
    } finally {
      closeQuietly(file);
    }
  });
});

describe('runs on a filtered dataset', () => {
  it('pool and shard workers decode blosc too: row norms of h5ex_d_blosc /DS1 match the .ddl values', async () => {
    const folder = makeTempFolder('filters');
    const file = copyFile(join(filtersDir, 'h5ex_d_blosc.h5'), folder);
    const values = ddlDataValues(ddlOf('h5ex_d_blosc.h5'));
    const [rows, columns] = ddlShape(ddlOf('h5ex_d_blosc.h5'));
    // Integer squares sum exactly in a double here, so sqrt gives the correctly rounded norm.
    const expected = Array.from({ length: rows }, (_, r) => Math.sqrt(values.slice(r * columns, (r + 1) * columns).reduce((s, v) => s + v * v, 0)));
    for (const strategy of ['shard', 'pool'] as const) {
      const result = await runComputation({ file, dataset: '/DS1', strategy, workers: 2, blockRows: 5, output: `/norms_${strategy}` });
      expect(result.outputDtype).toBe('float64');
      const opened = await openHdf5(file);
      try {
        const stored = new Float64Array((opened.get(`/norms_${strategy}`) as H5Dataset).value as Float64Array);
        expect(mismatches(stored, expected, 'float64')).toEqual([]);
      } finally {
        closeQuietly(opened);
      }
    }
  });
});
