// Overwrite whatever stands at the output path. h5wasm cannot delete links, so
// an output of another shape or type is unlinked in the run's staged copy
// (src/main/hdf5/unlink.ts); these files come from libhdf5 (h5py) in each group
// format, and independent readers (h5py, h5dump) check the result.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { lookup3 } from '../src/main/hdf5/checksum';
import { makeTempFolder, removeTempFolders, sha256Bytes, sha256File } from './support/files';
import { projectRoot, systemPython } from './support/paths';
import { readOutputs, snapshot } from './support/reference';

let folder: string;

beforeAll(() => {
  folder = makeTempFolder('overwrite');
  execFileSync(systemPython, [`${projectRoot}/test/support/make_overwrite_cases.py`, folder]);
});

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

describe('overwrite an output of another shape and type', () => {
  for (const name of ['symbol_table.h5', 'compact_links.h5']) {
    it(`${name}: /distances (int8, 10×3) and /grp/sub/distances (strings) become the float32 norms`, async () => {
      const file = `${folder}/${name}`;
      const before = await snapshot(file, ['/distances', '/grp/sub/distances']);

      const top = await runComputation({ file, dataset: '/coords', strategy: 'inline', workers: 1, overwrite: true });
      const nested = await runComputation({ file, dataset: '/grp/sub/coords', strategy: 'pool', workers: 2, overwrite: true });
      expect(top.output).toBe('/distances');
      expect(nested.output).toBe('/grp/sub/distances');

      // Every other object reads back exactly as before, through h5py.
      expect(await snapshot(file, ['/distances', '/grp/sub/distances'])).toEqual(before);
      const outputs = await readOutputs(file, folder, ['/distances', '/grp/sub/distances']);
      for (const [path, run] of [['/distances', top], ['/grp/sub/distances', nested]] as const) {
        const output = outputs.get(path);
        expect(output?.dtype).toBe('<f4');
        expect(output?.shape).toEqual([1000]);
        expect(output?.attributes.h5blocks_complete).toBe(1);
        expect(output?.attributes).not.toHaveProperty('stale');
        expect(sha256Bytes(output?.bytes ?? new Uint8Array())).toBe(run.outputSha256);
      }
      // h5dump, the HDF Group's own reader, walks the whole edited file.
      const dump = execFileSync('h5dump', ['-H', file], { encoding: 'utf8' });
      expect(dump).toMatch(/DATASET "distances" \{\s+DATATYPE\s+H5T_IEEE_F32LE/);
      expect(dump).toContain('DATASET "zz_after"');
    });
  }

  it('dense link storage is refused with a message naming the file, the object and why; the file is unchanged', async () => {
    const file = `${folder}/dense_links.h5`;
    const bytes = sha256File(file);
    await expect(runComputation({ file, dataset: '/coords', strategy: 'inline', workers: 1, overwrite: true })).rejects.toMatchObject({
      code: 'output-conflict',
      message: expect.stringMatching(/dense_links\.h5: cannot overwrite \/distances .*densely.*choose another output name/),
    });
    expect(sha256File(file)).toBe(bytes);
  });
});

describe('lookup3, the checksum of HDF5 metadata', () => {
  it('matches the checksum libhdf5 stored in a v2 object header', () => {
    const bytes = readFileSync(`${folder}/dense_links.h5`);
    const at = bytes.indexOf('OHDR');
    // Chunk 0 of that header: prefix, then messages up to the stored checksum.
    const flags = bytes[at + 5];
    let p = at + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 3);
    const chunkSize = bytes.readUIntLE(p, sizeBytes);
    p += sizeBytes;
    const end = p + chunkSize;
    expect(lookup3(bytes.subarray(at, end))).toBe(bytes.readUInt32LE(end));
  });
});
