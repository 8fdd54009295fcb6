// The app's side of virtual outputs, through the service both hosts share: a
// vds run's output in the explorer (virtual, its sources, missing ones named),
// materialize, and Save As copying the shards or materializing.
import { existsSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenFile, RunEvent } from '../src/shared/api';
import type { DatasetEntity } from '../src/shared/entities';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256Bytes } from './support/files';
import { rejection } from './support/rejection';
import { readVds } from './support/vds';

let folder: string;
let service: AppService;
let file: OpenFile;
let vdsSha: string;

async function run(fileId: string, strategy: 'vds' | 'pool', overwrite = false): Promise<RunEvent> {
  const ended = new Promise<RunEvent>((resolve) => {
    const stop = service.subscribe((event, payload) => {
      const e = payload as RunEvent;
      if (event === 'run' && e.type !== 'progress') {
        stop();
        resolve(e);
      }
    });
  });
  await service.startRun({ fileId, dataset: '/coords', strategy, workers: 4, blockRows: 200, overwrite });
  return ended;
}

beforeAll(async () => {
  folder = makeTempFolder('app-vds');
  service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('app-vds-user') });
  copyCorpus('coords_1k.h5', folder, 'data.h5');
  file = await service.openPath(join(folder, 'data.h5'));
  const ended = await run(file.id, 'vds');
  if (ended.type !== 'finished') throw new Error(`the vds run failed: ${JSON.stringify(ended)}`);
  vdsSha = ended.result.outputSha256;
}, 120_000);
afterAll(async () => {
  await service.dispose();
  await closeWorkerPools();
  removeTempFolders();
});

describe('a vds output in the app', () => {
  it('the explorer shows it as virtual with its five shard sources, none missing, and reads its values', async () => {
    const entity = (await service.getEntity(file.id, '/distances')) as DatasetEntity;
    expect(entity.layout).toBe('virtual');
    expect(entity.externalSources).toHaveLength(5);
    expect(entity.externalSources!.every((s) => s.kind === 'virtual-source' && s.file.startsWith('data.h5blocks/distances/') && s.missing === false)).toBe(true);
    const slice = await service.getValue(file.id, '/distances', [[0, 1000]]);
    expect(slice.kind).toBe('numbers');
    const values = Float32Array.from((slice as { values: number[] }).values);
    expect(sha256Bytes(new Uint8Array(values.buffer))).toBe(vdsSha);
  });

  it('lists the file\'s virtual outputs and their sources', async () => {
    const outputs = await service.listVirtualOutputs(file.id);
    expect(outputs.map((o) => o.dataset)).toEqual(['/distances']);
    expect(outputs[0].sources).toHaveLength(5);
    expect(outputs[0].sources.every((s) => s.resolved.startsWith(join(folder, 'data.h5blocks', 'distances')) && !s.missing)).toBe(true);
  });

  it('Save As with copy-shards: the copy gets its own shard folder and reads alone', async () => {
    const copy = (await service.saveAs(file.id, join(folder, 'copy.h5'), { virtual: 'copy-shards' }))!;
    expect(readdirSync(join(folder, 'copy.h5blocks', 'distances'))).toHaveLength(5);
    const read = await readVds(join(folder, 'copy.h5'), '/distances');
    expect(read.is_virtual).toBe(true);
    expect(read.sources.every(([f]) => f.startsWith('copy.h5blocks/distances/'))).toBe(true);
    expect(sha256Bytes(read.bytes)).toBe(vdsSha);
    // The original keeps its own shards, untouched.
    expect(readdirSync(join(folder, 'data.h5blocks', 'distances'))).toHaveLength(5);
    expect((await readVds(join(folder, 'data.h5'), '/distances')).sources.every(([f]) => f.startsWith('data.h5blocks/'))).toBe(true);
    const entity = (await service.getEntity(copy.id, '/distances')) as DatasetEntity;
    expect(entity.externalSources!.every((s) => s.missing === false)).toBe(true);
  });

  it('Save As with materialize: the copy holds the values itself, no shard folder; the original is unchanged', async () => {
    await service.saveAs(file.id, join(folder, 'flat.h5'), { virtual: 'materialize' });
    const read = await readVds(join(folder, 'flat.h5'), '/distances');
    expect(read.is_virtual).toBe(false);
    expect(sha256Bytes(read.bytes)).toBe(vdsSha);
    expect(existsSync(join(folder, 'flat.h5blocks'))).toBe(false);
    expect((await readVds(join(folder, 'data.h5'), '/distances')).is_virtual).toBe(true);
    expect(readdirSync(join(folder, 'data.h5blocks', 'distances'))).toHaveLength(5);
  });

  it('a missing shard: the explorer names it, reading and materializing refuse in one line naming it', async () => {
    copyCorpus('coords_1k.h5', folder, 'broken.h5');
    const broken = await service.openPath(join(folder, 'broken.h5'));
    expect((await run(broken.id, 'vds')).type).toBe('finished');
    const shard = readdirSync(join(folder, 'broken.h5blocks', 'distances'))[3];
    unlinkSync(join(folder, 'broken.h5blocks', 'distances', shard));
    const entity = (await service.getEntity(broken.id, '/distances')) as DatasetEntity;
    expect(entity.externalSources!.filter((s) => s.missing).map((s) => s.file)).toEqual([`broken.h5blocks/distances/${shard}`]);
    const read = await rejection(service.getValue(broken.id, '/distances', [[0, 10]]));
    expect(read.code).toBe('not-found');
    expect(read.message).toBe(`broken.h5: /distances: 1 of its virtual dataset's source files are missing (broken.h5blocks/distances/${shard}); put them back (the shard folder moves with the file) before reading or materializing it`);
    const refused = await rejection(service.materialize(broken.id, '/distances'));
    expect(refused.code).toBe('not-found');
    expect(refused.message).toContain(shard);
    const saving = await rejection(service.saveAs(broken.id, join(folder, 'broken-flat.h5'), { virtual: 'materialize' }));
    expect(saving.message).toContain(shard);
    expect(existsSync(join(folder, 'broken-flat.h5'))).toBe(false);
    rmSync(join(folder, 'broken.h5blocks'), { recursive: true });
  });

  it('materialize replaces the virtual dataset by a regular one and removes the shards', async () => {
    const result = await service.materialize(file.id, '/distances');
    expect(result).toMatchObject({ dataset: '/distances', rows: 1000, removedShards: 5 });
    const entity = (await service.getEntity(file.id, '/distances')) as DatasetEntity;
    expect(entity.layout).toBe('chunked');
    expect(entity.externalSources).toBeUndefined();
    expect(sha256Bytes((await readVds(join(folder, 'data.h5'), '/distances')).bytes)).toBe(vdsSha);
    expect(existsSync(join(folder, 'data.h5blocks'))).toBe(false);
    expect(await service.listVirtualOutputs(file.id)).toEqual([]);
    expect((await rejection(service.materialize(file.id, '/distances'))).code).toBe('invalid-argument');
  });
});
