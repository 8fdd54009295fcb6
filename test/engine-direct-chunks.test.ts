// The pool strategy reads deflate/shuffle-chunked data by locating the stored
// chunks itself and decompressing them in workers with native zlib
// (src/main/hdf5/chunkIndex.ts, src/workers/compute/decodeChunks.ts). Its
// results must be bit-identical to inline, which reads through h5wasm's HDF5,
// and agree with numpy, for every type, byte order, filter and chunk shape.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChunkLayout } from '../src/main/hdf5/chunkIndex';
import { findContiguousStorage } from '../src/main/hdf5/contiguousStorage';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { mismatches, typedView } from './support/floats';
import { projectRoot, systemPython } from './support/paths';
import { expectedNorms, readOutputs, type ExpectedNorms } from './support/reference';

const DATASETS = [
  ...['le_f2', 'be_f4', 'le_f8', 'be_f8', 'le_i1', 'le_u2', 'be_i2', 'le_i4', 'be_u4', 'le_i8'].map((d) => `/${d}_shuffle_gzip`),
  '/f4_gzip_only', '/f4_shuffle_only', '/f4_column_chunks', '/f4_partial_columns', '/f4_unfiltered',
];

const CONTIGUOUS = ['/le_f4_contiguous', '/le_f8_contiguous', '/le_u2_contiguous', '/le_f2_contiguous', '/be_f4_contiguous', '/f4_external'];

let folder: string;
let file: string;
let expected: Map<string, ExpectedNorms>;

beforeAll(async () => {
  folder = makeTempFolder('direct');
  file = `${folder}/chunked_dtypes.h5`;
  execFileSync(systemPython, [`${projectRoot}/test/support/make_chunked_dtypes.py`, file]);
  expected = await expectedNorms(file, folder, [...DATASETS, ...CONTIGUOUS]);
});

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

describe('direct chunk reads in the pool strategy', () => {
  it('finds every chunk of the filtered datasets, and declines what it cannot decode', () => {
    for (const path of DATASETS) {
      const norms = expected.get(path);
      expect(findChunkLayout(file, path, [norms!.rows, norms!.columns], Number(norms!.inputDtype.slice(2))), path).toBeDefined();
    }
    const layouts = copyCorpus('layouts.h5', folder);
    expect(findChunkLayout(layouts, '/shuffle_gzip', [100_003, 2], 4)?.filters).toEqual([2, 1]);
    expect(findChunkLayout(layouts, '/fletcher32', [100_003, 2], 4)).toBeUndefined();
    expect(findChunkLayout(layouts, '/contiguous', [100_003, 2], 4)).toBeUndefined();
  });

  for (const path of DATASETS) {
    it(`${path}: pool (direct) equals inline (h5wasm) bit for bit and numpy within 1 ulp`, async () => {
      const output = (strategy: string) => `${path}_norm_${strategy}`;
      const blockRows = 1234; // not a multiple of any chunk: blocks cut through chunks
      const inline = await runComputation({ file, dataset: path, strategy: 'inline', workers: 1, blockRows, output: output('inline') });
      const pool = await runComputation({ file, dataset: path, strategy: 'pool', workers: 2, blockRows, output: output('pool') });
      expect(pool.outputSha256).toBe(inline.outputSha256);
      // The worker lane shows decompression as reading, so the timeline tells where it ran.
      expect(pool.blocks[0].phases.some((p) => p.phase === 'read' && p.lane !== 'main')).toBe(true);
      const reference = expected.get(path)!;
      const read = (await readOutputs(file, folder, [output('pool')])).get(output('pool'))!;
      expect(mismatches(typedView(read.bytes, reference.outputDtype), reference.norms, reference.outputDtype)).toEqual([]);
    });
  }
});

describe('direct reads of contiguous datasets in the pool strategy', () => {
  it('finds the storage of little-endian contiguous datasets, also after a user block, and declines the rest', async () => {
    for (const path of ['/le_f4_contiguous', '/le_f8_contiguous', '/le_u2_contiguous', '/le_f2_contiguous']) {
      const { rows, columns } = expected.get(path)!;
      const bytes = Number(path.match(/[fu](\d)/)![1]);
      expect(findContiguousStorage(file, path, rows, columns * bytes), path).toBeDefined();
    }
    const { rows, columns } = expected.get('/le_f4_contiguous')!;
    // External storage, chunked and compact layouts, and a size that does not match the shape are read through HDF5.
    expect(findContiguousStorage(file, '/f4_external', rows, columns * 4)).toBeUndefined();
    expect(findContiguousStorage(file, '/f4_unfiltered', rows, columns * 4)).toBeUndefined();
    expect(findContiguousStorage(file, '/le_f4_contiguous', rows + 1, columns * 4)).toBeUndefined();
    const layouts = copyCorpus('layouts.h5', folder);
    expect(findContiguousStorage(layouts, '/compact', 100, 8)).toBeUndefined();
    expect(findContiguousStorage(layouts, '/contiguous', 100_003, 8)).toBeDefined();

    const userBlock = file.replace('.h5', '_userblock.h5');
    const storage = findContiguousStorage(userBlock, '/coords', rows, columns * 4);
    expect(storage?.address).toBeGreaterThanOrEqual(4096);
    const [inline, pool] = [
      await runComputation({ file: userBlock, dataset: '/coords', strategy: 'inline', workers: 1, output: '/inline' }),
      await runComputation({ file: userBlock, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 999, output: '/pool' }),
    ];
    expect(pool.outputSha256).toBe(inline.outputSha256);
    const reference = (await expectedNorms(userBlock, folder, ['/coords'])).get('/coords')!;
    const read = (await readOutputs(userBlock, folder, ['/pool'])).get('/pool')!;
    expect(mismatches(typedView(read.bytes, reference.outputDtype), reference.norms, reference.outputDtype)).toEqual([]);
  });

  for (const path of CONTIGUOUS) {
    it(`${path}: pool equals inline (h5wasm) bit for bit and numpy within 1 ulp`, async () => {
      const output = (strategy: string) => `${path}_norm_${strategy}`;
      const blockRows = 1234;
      const inline = await runComputation({ file, dataset: path, strategy: 'inline', workers: 1, blockRows, output: output('inline') });
      const pool = await runComputation({ file, dataset: path, strategy: 'pool', workers: 2, blockRows, output: output('pool') });
      expect(pool.outputSha256).toBe(inline.outputSha256);
      const reference = expected.get(path)!;
      const read = (await readOutputs(file, folder, [output('pool')])).get(output('pool'))!;
      expect(mismatches(typedView(read.bytes, reference.outputDtype), reference.norms, reference.outputDtype)).toEqual([]);
    });
  }
});
