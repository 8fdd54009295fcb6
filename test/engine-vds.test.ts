// The vds strategy end to end: the seed scenario (coords_1k.h5, 200-row blocks,
// 4 workers) gives a virtual /distances over shard files beside the file,
// bit-identical to pool and shard; the file moves with its folder; overwrite,
// materialize and a missing shard, through the engine and the CLI.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { H5BlocksError } from '../src/shared/errors';
import type { RunResult, Strategy } from '../src/shared/run';
import { runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256Bytes } from './support/files';
import { readOutputs, snapshot } from './support/reference';
import { h5dumpValues, readVds } from './support/vds';
import { corpusFile } from './support/paths';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('vds');
});
afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

const seed = (file: string, strategy: Strategy, extra: { overwrite?: boolean; blockRows?: number } = {}) =>
  runComputation({ file, dataset: '/coords', strategy, workers: 4, blockRows: 200, ...extra });

const shardsOf = (file: string) => {
  const shardFolder = join(file.replace(/\.h5$/, '.h5blocks'), 'distances');
  return existsSync(shardFolder) ? readdirSync(shardFolder).sort() : [];
};

describe('the seed scenario with vds', () => {
  const results = new Map<Strategy, RunResult>();
  const files = new Map<Strategy, string>();

  beforeAll(async () => {
    for (const strategy of ['pool', 'shard', 'vds'] as const) {
      const file = copyCorpus('coords_1k.h5', folder, `coords_1k_${strategy}.h5`);
      files.set(strategy, file);
      results.set(strategy, await seed(file, strategy));
    }
  });

  it('/distances is a virtual dataset, bit-identical to pool and shard as h5py reads it', async () => {
    const vds = await readVds(files.get('vds')!, '/distances');
    expect(vds.is_virtual).toBe(true);
    expect(vds.dtype).toBe('<f4');
    expect(vds.shape).toEqual([1000]);
    for (const strategy of ['pool', 'shard'] as const) {
      const other = await readVds(files.get(strategy)!, '/distances');
      expect(other.is_virtual).toBe(false);
      expect(vds.bytes.equals(other.bytes)).toBe(true);
      expect(results.get('vds')!.outputSha256).toBe(results.get(strategy)!.outputSha256);
    }
    expect(sha256Bytes(vds.bytes)).toBe(results.get('vds')!.outputSha256);
  });

  it('its sources are five shard files named relative to the file, in coords_1k_vds.h5blocks/distances/', async () => {
    const { sources } = await readVds(files.get('vds')!, '/distances');
    expect(sources).toHaveLength(5);
    const runId = results.get('vds')!.id;
    expect(sources.map(([file]) => file)).toEqual([0, 1, 2, 3, 4].map((i) => `coords_1k_vds.h5blocks/distances/${runId}-block-00000${i}.h5`));
    expect(sources.every(([, dataset]) => dataset === '/values')).toBe(true);
    expect(shardsOf(files.get('vds')!)).toHaveLength(5);
  });

  it('h5dump prints the same values as pool wrote', async () => {
    const vds = await h5dumpValues(files.get('vds')!, '/distances');
    const pool = await h5dumpValues(files.get('pool')!, '/distances');
    expect(vds).toHaveLength(1000);
    expect(vds).toEqual(pool);
  });

  it('carries the provenance attributes, leaves /coords and the rest unchanged and nothing beside the file', async () => {
    const output = (await readOutputs(files.get('vds')!, join(folder, 'read-vds'), ['/distances'])).get('/distances')!;
    expect(output.attributes).toMatchObject({ h5blocks_strategy: 'vds', h5blocks_workers: 4, h5blocks_block_rows: 200, h5blocks_complete: 1 });
    expect(await snapshot(files.get('vds')!, ['/distances'])).toEqual(await snapshot(corpusFile('coords_1k.h5')));
    expect(runLeftoversBeside(files.get('vds')!)).toEqual([]);
  });

  it('the timeline shows shard-write in every block and no merge or main-thread write', () => {
    const result = results.get('vds')!;
    expect(result.blocks).toHaveLength(5);
    for (const block of result.blocks) {
      const phases = block.phases.map((p) => p.phase);
      expect(phases).toContain('shard-write');
      expect(phases).not.toContain('merge');
      expect(phases).not.toContain('write');
    }
    expect(result.summary.phaseTotals.map((p) => p.phase)).not.toContain('merge');
    expect(results.get('shard')!.summary.phaseTotals.map((p) => p.phase)).toContain('merge');
  });

  it('moving the file together with its folder keeps the values readable', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'moving.h5');
    await seed(file, 'vds');
    const before = await readVds(file, '/distances');
    const elsewhere = join(folder, 'elsewhere');
    mkdirSync(elsewhere);
    renameSync(file, join(elsewhere, 'moving.h5'));
    renameSync(join(folder, 'moving.h5blocks'), join(elsewhere, 'moving.h5blocks'));
    const after = await readVds(join(elsewhere, 'moving.h5'), '/distances');
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.bytes.equals((await readVds(files.get('pool')!, '/distances')).bytes)).toBe(true);
  });
});

describe('overwrite and materialize', () => {
  it('overwriting a vds output with vds replaces its shards; with pool removes them', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'overwrite.h5');
    const first = await seed(file, 'vds');
    expect(shardsOf(file).every((name) => name.startsWith(first.id))).toBe(true);
    const refused = await seed(file, 'vds').catch((error: unknown) => error);
    expect((refused as H5BlocksError).code).toBe('output-exists');
    expect(shardsOf(file)).toHaveLength(5);

    const second = await seed(file, 'vds', { overwrite: true, blockRows: 250 });
    expect(shardsOf(file)).toEqual([0, 1, 2, 3].map((i) => `${second.id}-block-00000${i}.h5`));
    const read = await readVds(file, '/distances');
    expect(read.is_virtual).toBe(true);
    expect(sha256Bytes(read.bytes)).toBe(first.outputSha256);

    const pool = await seed(file, 'pool', { overwrite: true });
    const regular = await readVds(file, '/distances');
    expect(regular.is_virtual).toBe(false);
    expect(sha256Bytes(regular.bytes)).toBe(pool.outputSha256);
    expect(existsSync(join(folder, 'overwrite.h5blocks'))).toBe(false);
  });

  it('a vds run over a regular output replaces it by a virtual one', async () => {
    const file = copyCorpus('coords_with_distances.h5', folder, 'over_regular.h5');
    const result = await seed(file, 'vds', { overwrite: true });
    const read = await readVds(file, '/distances');
    expect(read.is_virtual).toBe(true);
    expect(sha256Bytes(read.bytes)).toBe(result.outputSha256);
  });

  it('materialize (CLI) makes a regular dataset with the same values and attributes and removes the shards', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'materialize.h5');
    const run = await seed(file, 'vds');
    const before = (await readOutputs(file, join(folder, 'mat-before'), ['/distances'])).get('/distances')!;
    const cli = await runCli(['materialize', file, '--dataset', '/distances']);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/materialize\.h5: \/distances is now a regular dataset .*5 shard file\(s\) removed/);
    const after = (await readOutputs(file, join(folder, 'mat-after'), ['/distances'])).get('/distances')!;
    expect((await readVds(file, '/distances')).is_virtual).toBe(false);
    expect(Buffer.from(after.bytes).equals(Buffer.from(before.bytes))).toBe(true);
    expect(sha256Bytes(after.bytes)).toBe(run.outputSha256);
    expect(after.attributes).toEqual(before.attributes);
    expect(after.dtype).toBe('<f4');
    expect(existsSync(join(folder, 'materialize.h5blocks'))).toBe(false);
    expect(runLeftoversBeside(file)).toEqual([]);

    const again = await runCli(['materialize', file, '--dataset', '/distances']);
    expect(again.status).not.toBe(0);
    expect(again.stderr.trim()).toMatch(/^h5blocks: materialize\.h5: \/distances is not a virtual dataset; its values are already stored in the file$/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a missing shard: tree names it, materialize refuses naming it, the file is unchanged', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'missing.h5');
    const run = await seed(file, 'vds');
    const lost = `${run.id}-block-000002.h5`;
    unlinkSync(join(folder, 'missing.h5blocks', 'distances', lost));
    const tree = await runCli(['tree', file]);
    expect(tree.status).toBe(0);
    expect(tree.stdout).toMatch(new RegExp(`distances .*virtual.*MISSING: missing\\.h5blocks/distances/${lost}`));
    const refused = await runCli(['materialize', file, '--dataset', '/distances']);
    expect(refused.status).not.toBe(0);
    const line = refused.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(new RegExp(`missing\\.h5: /distances: 1 of its virtual dataset's source files are missing \\(.*${lost}\\)`));
    expect((await readVds(file, '/distances')).is_virtual).toBe(true);
    expect(shardsOf(file)).toHaveLength(4);
  });

  it('a 0-row input gives an empty virtual dataset h5py and h5dump read, and no shard folder', async () => {
    const file = join(folder, 'zero.h5');
    await runCli(['sample', file, '--rows', '0']);
    const result = await runComputation({ file, dataset: '/coords', strategy: 'vds', workers: 2 });
    expect(result.rows).toBe(0);
    const read = await readVds(file, '/distances');
    expect(read).toMatchObject({ is_virtual: true, shape: [0], sources: [] });
    expect(await h5dumpValues(file, '/distances')).toEqual([]);
    expect(existsSync(join(folder, 'zero.h5blocks'))).toBe(false);
  });

  it('a failed vds run leaves no shards and the previous output intact', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'failing.h5');
    const first = await seed(file, 'vds');
    const controller = new AbortController();
    const failed = runComputation({ file, dataset: '/coords', strategy: 'vds', workers: 2, blockRows: 10, overwrite: true }, {
      signal: controller.signal, onProgress: () => controller.abort(),
    }).catch((error: unknown) => error);
    expect(((await failed) as H5BlocksError).code).toBe('aborted');
    expect(shardsOf(file).every((name) => name.startsWith(first.id))).toBe(true);
    expect(shardsOf(file)).toHaveLength(5);
    expect(sha256Bytes((await readVds(file, '/distances')).bytes)).toBe(first.outputSha256);
  });

  it('`h5blocks run --strategy vds` prints the run; orphan shards from a dead run are removed by the next run', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'cli.h5');
    const cli = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'vds', '--workers', '4', '--block-rows', '200']);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/strategy vds, 4 worker\(s\), 5 blocks of 200 rows/);
    expect(cli.stdout).toMatch(/shard-write/);
    expect(cli.stdout).not.toMatch(/merge/);
    const orphan = join(folder, 'cli.h5blocks', 'distances', 'deadrun-000000-block-000000.h5');
    copyCorpus('coords_1k.h5', join(folder, 'cli.h5blocks', 'distances'), 'deadrun-000000-block-000000.h5');
    const userFile = join(folder, 'cli.h5blocks', 'notes.txt');
    copyCorpus('coords_1k.h5', join(folder, 'cli.h5blocks'), 'notes.txt');
    const tree = await runCli(['tree', file]);
    expect(tree.stdout).toMatch(/distances .*virtual, 5 source file\(s\)/);
    await runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2, output: 'other' });
    expect(existsSync(orphan)).toBe(false);
    expect(shardsOf(file)).toHaveLength(5);
    expect(existsSync(userFile)).toBe(true);
    rmSync(userFile);
  });
});
