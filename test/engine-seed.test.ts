// The seed scenario end to end: /coords of coords_1k.h5 in 200-row blocks on 4
// workers, and the seed's collision with an existing /distances.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { H5BlocksError } from '../src/shared/errors';
import type { RunResult } from '../src/shared/run';
import { ddlDataValues } from './support/ddl';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256Bytes, sha256File } from './support/files';
import { mismatches, typedView } from './support/floats';
import { corpusFile } from './support/paths';
import { expectedNorms, readOutputs, snapshot, type ExpectedNorms } from './support/reference';
import { packageVersion } from './support/runs';

const execFileAsync = promisify(execFile);

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('seed');
});
afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

describe('coords_1k.h5, 200-row blocks, 4 workers', () => {
  const results = new Map<'pool' | 'shard', RunResult>();
  const files = new Map<'pool' | 'shard', string>();
  let expected: ExpectedNorms;
  let pristine: Record<string, string>;

  beforeAll(async () => {
    expected = (await expectedNorms(corpusFile('coords_1k.h5'), join(folder, 'expected-1k'), ['/coords'])).get('/coords')!;
    pristine = await snapshot(corpusFile('coords_1k.h5'));
    for (const strategy of ['pool', 'shard'] as const) {
      const file = copyCorpus('coords_1k.h5', folder, `coords_1k_${strategy}.h5`);
      files.set(strategy, file);
      results.set(strategy, await runComputation({ file, dataset: '/coords', strategy, workers: 4, blockRows: 200 }));
    }
  });

  it('pool and shard write /distances with the same SHA-256 and the same bytes', async () => {
    const pool = await readOutputs(files.get('pool')!, join(folder, 'read-pool'), ['/distances']);
    const shard = await readOutputs(files.get('shard')!, join(folder, 'read-shard'), ['/distances']);
    const poolBytes = pool.get('/distances')!.bytes;
    const shardBytes = shard.get('/distances')!.bytes;
    expect(results.get('pool')!.outputSha256).toBe(results.get('shard')!.outputSha256);
    expect(sha256Bytes(poolBytes)).toBe(results.get('pool')!.outputSha256);
    expect(Buffer.from(poolBytes).equals(Buffer.from(shardBytes))).toBe(true);
    for (const strategy of ['pool', 'shard'] as const) {
      const result = results.get(strategy)!;
      expect(result).toMatchObject({ rows: 1000, columns: 2, workers: 4, blockRows: 200, output: '/distances', outputDtype: 'float32' });
      expect(result.blocks).toHaveLength(5);
    }
  });

  it('/distances matches numpy within 1 ulp, is float32, and carries complete provenance', async () => {
    for (const strategy of ['pool', 'shard'] as const) {
      const output = (await readOutputs(files.get(strategy)!, join(folder, `check-${strategy}`), ['/distances'])).get('/distances')!;
      expect(output.dtype).toBe('<f4');
      expect(output.shape).toEqual([1000]);
      expect(mismatches(typedView(output.bytes, 'float32'), expected.norms, 'float32')).toEqual([]);
      expect(output.attributes).toMatchObject({
        h5blocks_source: '/coords', h5blocks_strategy: strategy, h5blocks_workers: 4, h5blocks_block_rows: 200,
        h5blocks_version: packageVersion(), h5blocks_complete: 1,
      });
    }
  });

  it('h5dump, an independent reader, reads /distances and its attributes', async () => {
    const file = files.get('shard')!;
    const attributes = (await execFileAsync('h5dump', ['-A', '-d', '/distances', file])).stdout;
    const attribute = (name: string) => new RegExp(`ATTRIBUTE "${name}" \\{[\\s\\S]*?DATA \\{\\s*\\(0\\): ([^\\n]*)`).exec(attributes)?.[1];
    expect(attribute('h5blocks_complete')).toBe('1');
    expect(attribute('h5blocks_block_rows')).toBe('200');
    expect(attribute('h5blocks_source')).toBe('"/coords"');
    expect(attribute('h5blocks_strategy')).toBe('"shard"');

    // %.9g prints every float32 exactly, so the text must round-trip to the stored bits.
    const dump = (await execFileAsync('h5dump', ['-m', '%.9g', '-d', '/distances', file])).stdout;
    expect(dump).toMatch(/DATATYPE\s+H5T_IEEE_F32LE/);
    const printed = ddlDataValues(dump);
    expect(printed).toHaveLength(1000);
    const stored = typedView((await readOutputs(file, join(folder, 'dump'), ['/distances'])).get('/distances')!.bytes, 'float32');
    expect(printed.map((v) => Math.fround(v))).toEqual(Array.from(stored));
  });

  it('/coords and everything else in the file are unchanged, and nothing is left beside it', async () => {
    for (const file of files.values()) {
      expect(await snapshot(file, ['/distances'])).toEqual(pristine);
      expect(runLeftoversBeside(file)).toEqual([]);
    }
  });
});

describe('coords_with_distances.h5: /distances already exists', () => {
  it('without overwrite: refused as output-exists naming /distances and the file, file bytes unchanged', async () => {
    const file = copyCorpus('coords_with_distances.h5', folder);
    const before = sha256File(file);
    for (const strategy of ['inline', 'pool', 'shard'] as const) {
      const error = await runComputation({ file, dataset: '/coords', strategy, workers: 4, blockRows: 200 }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(H5BlocksError);
      expect((error as H5BlocksError).code).toBe('output-exists');
      expect((error as H5BlocksError).message).toMatch(/coords_with_distances\.h5.*\/distances/);
      expect((error as H5BlocksError).message).not.toMatch(/\n/);
      expect(sha256File(file)).toBe(before);
      expect(runLeftoversBeside(file)).toEqual([]);
    }
  });

  it('with overwrite: /distances is replaced by correct, complete values; /coords is unchanged', async () => {
    const expected = (await expectedNorms(corpusFile('coords_with_distances.h5'), join(folder, 'expected-cwd'), ['/coords'])).get('/coords')!;
    const pristine = await snapshot(corpusFile('coords_with_distances.h5'), ['/distances']);
    const before = (await readOutputs(corpusFile('coords_with_distances.h5'), join(folder, 'cwd-before'), ['/distances'])).get('/distances')!;
    expect(typedView(before.bytes, 'float32').every((v) => v === 0)).toBe(true);

    const file = copyCorpus('coords_with_distances.h5', folder, 'coords_with_distances_overwrite.h5');
    for (const strategy of ['pool', 'shard'] as const) {
      const result = await runComputation({ file, dataset: '/coords', strategy, workers: 4, blockRows: 200, overwrite: true });
      const output = (await readOutputs(file, join(folder, `cwd-${strategy}`), ['/distances'])).get('/distances')!;
      expect(output.shape).toEqual([1000]);
      expect(sha256Bytes(output.bytes)).toBe(result.outputSha256);
      expect(mismatches(typedView(output.bytes, 'float32'), expected.norms, 'float32')).toEqual([]);
      expect(output.attributes).toMatchObject({ h5blocks_strategy: strategy, h5blocks_complete: 1 });
      expect(await snapshot(file, ['/distances'])).toEqual(pristine);
      expect(runLeftoversBeside(file)).toEqual([]);
    }
  });
});
