// The host-independent service behind both transports, in Node, against copies of the corpus.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvents, OpenFile, RunEvent } from '../src/shared/api';
import type { DatasetEntity, GroupEntity } from '../src/shared/entities';
import type { ErrorInfo } from '../src/shared/errors';
import { decodeValueSlice } from '../src/shared/wireValues';
import { dispatchCall } from '../src/main/app/dispatch';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { writeSample } from '../src/main/cli/sample';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { projectRoot, systemPython } from './support/paths';
import { rejection } from './support/rejection';

const runPython = promisify(execFile);

/** What h5py reads for a slice, with non-finite numbers spelled as on the wire. */
async function h5pySlice(file: string, dataset: string, ranges: [number, number][]): Promise<(number | string)[]> {
  const script = `
import sys, json, math, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
d = f[sys.argv[2]]
sel = tuple(slice(a, b) for a, b in json.loads(sys.argv[3]))
v = np.asarray(d[sel] if sel else d[()], dtype='f8').ravel().tolist()
name = lambda x: 'NaN' if math.isnan(x) else ('Infinity' if x > 0 else '-Infinity')
print(json.dumps([x if math.isfinite(x) else name(x) for x in v]))
`;
  const { stdout } = await runPython(systemPython, ['-c', script, file, dataset, JSON.stringify(ranges)]);
  return JSON.parse(stdout) as (number | string)[];
}

function newService(folder: string, userData: string): AppService {
  return new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: userData });
}

/** Every event the service emits, and a way to wait for one. */
function recordEvents(service: AppService) {
  const seen: { event: keyof ApiEvents; payload: unknown }[] = [];
  const waiters: { test: (event: keyof ApiEvents, payload: unknown) => boolean; resolve: (payload: unknown) => void }[] = [];
  service.subscribe((event, payload) => {
    seen.push({ event, payload });
    for (const waiter of [...waiters]) {
      if (waiter.test(event, payload)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(payload);
      }
    }
  });
  const runEvents = (runId: string) => seen.filter((e) => e.event === 'run').map((e) => e.payload as RunEvent)
    .filter((e) => (e.type === 'progress' ? e.progress.runId : e.type === 'finished' ? e.result.id : e.runId) === runId);
  const runEnd = (runId: string) => new Promise<RunEvent>((resolve) => {
    const ended = runEvents(runId).find((e) => e.type !== 'progress');
    if (ended) return resolve(ended);
    waiters.push({
      test: (event, payload) => event === 'run' && (payload as RunEvent).type !== 'progress'
        && ((payload as RunEvent & { type: 'finished' }).result?.id === runId || (payload as RunEvent & { type: 'failed' }).runId === runId),
      resolve: (payload) => resolve(payload as RunEvent),
    });
  });
  return { seen, runEvents, runEnd };
}


function expectOneLine(error: ErrorInfo): void {
  expect(error.message).not.toContain('\n');
  expect(error.message).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
}

describe('AppService', () => {
  let folder: string;
  let userData: string;
  let service: AppService;
  let events: ReturnType<typeof recordEvents>;
  let coords: OpenFile;

  beforeAll(async () => {
    folder = makeTempFolder('app-service');
    userData = makeTempFolder('app-service-userdata');
    for (const name of ['coords_1k.h5', 'dtypes.h5', 'structure.h5', 'layouts.h5', 'not_hdf5.h5', 'zero_bytes.h5', 'truncated.h5']) {
      copyCorpus(name, folder);
    }
    service = newService(folder, userData);
    events = recordEvents(service);
    coords = await service.openPath(join(folder, 'coords_1k.h5'));
  });

  afterAll(async () => {
    await service.dispose();
    await closeWorkerPools();
    removeTempFolders();
  });

  it('opens a file, lists it, and announces the open files', async () => {
    expect(coords.name).toBe('coords_1k.h5');
    expect(coords.sizeBytes).toBe(readFileSync(join(folder, 'coords_1k.h5')).length);
    expect(await service.listFiles()).toContainEqual(coords);
    const announced = events.seen.filter((e) => e.event === 'files').at(-1)?.payload as ApiEvents['files'];
    expect(announced.files.map((f) => f.id)).toContain(coords.id);
    // The same file opened again is the same entry, not a second one.
    const again = await service.openPath(join(folder, '.', 'coords_1k.h5'));
    expect(again.id).toBe(coords.id);
    expect((await service.listFiles()).filter((f) => f.name === 'coords_1k.h5')).toHaveLength(1);
  });

  it('describes the tree lazily, like an h5web provider', async () => {
    const root = (await service.getEntity(coords.id, '/')) as GroupEntity;
    expect(root.kind).toBe('group');
    expect(root.children).toEqual([{ name: 'coords', path: '/coords', kind: 'dataset' }]);
    const dataset = (await service.getEntity(coords.id, '/coords')) as DatasetEntity;
    expect(dataset.shape).toEqual([1000, 2]);
    expect(dataset.dtype.numpy).toBe('<f4');
    const missing = await rejection(service.getEntity(coords.id, '/nope'));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toContain('/nope');
  });

  it('pages through values exactly as h5py reads them', async () => {
    const file = join(folder, 'coords_1k.h5');
    const whole = await service.getValue(coords.id, '/coords', [[990, 1000], [0, 2]]);
    expect(whole.kind).toBe('numbers');
    expect(whole.shape).toEqual([10, 2]);
    expect(whole.values).toEqual(await h5pySlice(file, '/coords', [[990, 1000], [0, 2]]));
    const first = await service.getValue(coords.id, '/coords', [[990, 995], [0, 2]]);
    const second = await service.getValue(coords.id, '/coords', [[995, 1000], [0, 2]]);
    expect([...first.values, ...second.values]).toEqual(whole.values);
    const column = await service.getValue(coords.id, '/coords', [[0, 1000], [1, 2]]);
    expect(column.values).toEqual(await h5pySlice(file, '/coords', [[0, 1000], [1, 2]]));
    const empty = await service.getValue(coords.id, '/coords', [[10, 10], [0, 2]]);
    expect(empty.values).toEqual([]);
  });

  it('reads 1-D, 3-D, scalar, half-float, 64-bit and non-finite data, and strings and compounds as text', async () => {
    const path = join(folder, 'dtypes.h5');
    const dtypes = await service.openPath(path);
    for (const [dataset, ranges] of [
      ['/vector_1d', [[100, 110]]],
      ['/cube_3d', [[2, 4], [5, 8], [0, 2]]],
      ['/scalar', []],
      ['/le_f2', [[0, 20], [0, 2]]],
      ['/be_f8', [[0, 5], [0, 2]]],
      ['/le_i8', [[0, 5], [0, 2]]],
      ['/special_values', [[0, 8], [0, 2]]],
    ] as [string, [number, number][]][]) {
      const slice = await service.getValue(dtypes.id, dataset, ranges);
      expect(slice.kind, dataset).toBe('numbers');
      expect(slice.values, dataset).toEqual(await h5pySlice(path, dataset, ranges));
    }
    // NaN and ±Infinity survive JSON as strings, and the client's decoding restores the numbers.
    const special = await service.getValue(dtypes.id, '/special_values', [[1, 4], [0, 2]]);
    const overJson = JSON.parse(JSON.stringify(special));
    expect(overJson.values).toEqual(['NaN', 1, 'Infinity', 0, '-Infinity', 'NaN']);
    expect(decodeValueSlice(overJson).values).toEqual([NaN, 1, Infinity, 0, -Infinity, NaN]);

    const strings = await service.getValue(dtypes.id, '/strings', [[0, 3]]);
    expect(strings).toMatchObject({ kind: 'text', values: ['a', 'bb', 'ccc'] });
    const compound = await service.getValue(dtypes.id, '/compound_xy', [[0, 2]]);
    expect(compound.kind).toBe('text');
    const [x, y] = (await h5pySliceFields(path, '/compound_xy', 0));
    expect(compound.values[0]).toBe(`{x: ${x}, y: ${y}, label: "pt"}`);

    const structure = await service.openPath(join(folder, 'structure.h5'));
    expect((await service.getValue(structure.id, '/names', [[0, 3]])).values).toEqual(['alpha', 'beta', 'γάμμα']);
    expect((await service.getValue(structure.id, '/ragged', [[0, 3]])).values).toEqual(['[0]', '[0, 1, 2]', '[0, 1, 2, 3, 4]']);
    expect((await service.getValue(structure.id, '/refs', [[0, 1]])).values).toEqual(['→ /experiment/run_001/detector/coords']);
  });

  it('refuses windows that do not fit the dataset or are too large, naming the dataset', async () => {
    const wrongRank = await rejection(service.getValue(coords.id, '/coords', [[0, 10]]));
    expect(wrongRank.code).toBe('invalid-argument');
    expect(wrongRank.message).toMatch(/coords_1k\.h5: \/coords: has 2 dimensions/);
    const past = await rejection(service.getValue(coords.id, '/coords', [[990, 1001], [0, 2]]));
    expect(past.code).toBe('invalid-argument');
    expect(past.message).toContain('outside its size 1000');
    const group = await rejection(service.getValue(coords.id, '/', []));
    expect(group.code).toBe('invalid-argument');

    const big = join(folder, 'big.h5');
    await writeSample(big, { rows: 600_000, chunked: true, gzip: false });
    const opened = await service.openPath(big);
    const tooLarge = await rejection(service.getValue(opened.id, '/coords', [[0, 600_000], [0, 2]]));
    expect(tooLarge.code).toBe('too-large');
    expect(tooLarge.message).toContain('1,200,000 values');
    const atLimit = await service.getValue(opened.id, '/coords', [[0, 500_000], [0, 2]]);
    expect(atLimit.values).toHaveLength(1_000_000);
  });

  it('runs in the background, streams progress, finishes with a record, and shows the new output', async () => {
    const { runId } = await service.startRun({ fileId: coords.id, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 100 });
    const end = await events.runEnd(runId);
    expect(end.type).toBe('finished');
    const progress = events.runEvents(runId).filter((e) => e.type === 'progress');
    expect(progress).toHaveLength(10);
    const last = progress.at(-1);
    expect(last?.type === 'progress' && last.progress).toMatchObject({ blocksDone: 10, blocksTotal: 10, rowsDone: 1000, rowsTotal: 1000 });
    if (end.type !== 'finished') throw new Error('unreachable');
    expect(end.result).toMatchObject({ id: runId, fileName: 'coords_1k.h5', dataset: '/coords', output: '/distances', strategy: 'pool', rows: 1000, matchesOthers: null });
    expect(end.result.blocks).toHaveLength(10);
    // The run replaced the file on disk; the open file shows the replacement, not the old handle's view.
    const root = (await service.getEntity(coords.id, '/')) as GroupEntity;
    expect(root.children.map((c) => c.name).sort()).toEqual(['coords', 'distances']);
    const distances = await service.getValue(coords.id, '/distances', [[0, 5]]);
    expect(distances.values).toEqual(await h5pySlice(join(folder, 'coords_1k.h5'), '/distances', [[0, 5]]));
    expect((await service.listFiles()).find((f) => f.id === coords.id)?.sizeBytes).toBe(readFileSync(join(folder, 'coords_1k.h5')).length);
    expect(runLeftoversBeside(join(folder, 'coords_1k.h5'))).toEqual([]);
  });

  it('tells whether runs on the same file and dataset agree', async () => {
    const { runId } = await service.startRun({ fileId: coords.id, dataset: '/coords', strategy: 'inline', workers: 1, output: 'distances_inline' });
    const end = await events.runEnd(runId);
    expect(end.type === 'finished' && end.result.matchesOthers).toBe(true);
    const runs = await service.listRuns();
    expect(runs.filter((r) => r.dataset === '/coords' && r.file === join(folder, 'coords_1k.h5')).every((r) => r.matchesOthers === true)).toBe(true);
  });

  it('reports a failed run as an event with a clear error, leaving the file as it was', async () => {
    const before = sha256File(join(folder, 'coords_1k.h5'));
    const { runId } = await service.startRun({ fileId: coords.id, dataset: '/coords', strategy: 'inline', workers: 1 });
    const end = await events.runEnd(runId);
    expect(end.type).toBe('failed');
    if (end.type !== 'failed') throw new Error('unreachable');
    expect(end.error.code).toBe('output-exists');
    expect(end.error.message).toContain('/distances already exists');
    expectOneLine(end.error);
    expect(sha256File(join(folder, 'coords_1k.h5'))).toBe(before);
  });

  it('cancels a run mid-way: an aborted event, the file unchanged, nothing left behind', async () => {
    const path = join(folder, 'layouts.h5');
    const layouts = await service.openPath(path);
    const before = sha256File(path);
    const firstProgress = new Promise<string>((resolve) => {
      const stop = service.subscribe((event, payload) => {
        if (event === 'run' && (payload as RunEvent).type === 'progress') {
          stop();
          resolve((payload as RunEvent & { type: 'progress' }).progress.runId);
        }
      });
    });
    const { runId } = await service.startRun({ fileId: layouts.id, dataset: '/contiguous', strategy: 'pool', workers: 2, blockRows: 500 });
    expect(await firstProgress).toBe(runId);
    await service.cancelRun(runId);
    const end = await events.runEnd(runId);
    expect(end.type).toBe('failed');
    expect(end.type === 'failed' && end.error.code).toBe('aborted');
    expect(events.runEvents(runId).filter((e) => e.type === 'progress').length).toBeLessThan(201);
    expect(sha256File(path)).toBe(before);
    expect(runLeftoversBeside(path)).toEqual([]);
    expect((await service.listRuns()).some((r) => r.id === runId)).toBe(false);
    const unknown = await rejection(service.cancelRun('no-such-run'));
    expect(unknown.code).toBe('not-found');
  });

  it('keeps runs and recent files across a new service instance, and finds runs that disagree', async () => {
    const ids = (await service.listRuns()).map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const reopened = newService(folder, userData);
    try {
      expect((await reopened.listRuns()).map((r) => r.id)).toEqual(ids);
      expect(await reopened.recentFiles()).toContain(join(folder, 'coords_1k.h5'));
      // A run from elsewhere whose output differs: every run on that file and dataset now disagrees with some other.
      const saved = JSON.parse(readFileSync(join(userData, 'runs.json'), 'utf8')) as { id: string; outputSha256: string; startedAt: string }[];
      const odd = { ...saved[0], id: 'odd-run', outputSha256: '0'.repeat(64), startedAt: new Date().toISOString() };
      writeFileSync(join(userData, 'runs.json'), JSON.stringify([...saved, odd]));
      const third = newService(folder, userData);
      const runs = await third.listRuns();
      expect(runs.find((r) => r.id === 'odd-run')?.matchesOthers).toBe(false);
      expect(runs.find((r) => r.id === ids[0])?.matchesOthers).toBe(false);
      await third.clearRuns();
      expect(await newService(folder, userData).listRuns()).toEqual([]);
      await third.dispose();
    } finally {
      await reopened.dispose();
    }
  });

  it('saves a copy under a new name, opens it, and leaves the original byte for byte', async () => {
    const source = join(folder, 'coords_1k.h5');
    const before = sha256File(source);
    const target = join(folder, 'copy of coords.h5');
    const copy = await service.saveAs(coords.id, target);
    expect(copy).toMatchObject({ path: target, name: 'copy of coords.h5' });
    expect(copy?.id).not.toBe(coords.id);
    expect(sha256File(source)).toBe(before);
    expect(sha256File(target)).toBe(before);
    expect(((await service.getEntity(copy!.id, '/')) as GroupEntity).children.map((c) => c.name)).toContain('distances');

    const overItself = await rejection(service.saveAs(coords.id, source));
    expect(overItself.code).toBe('invalid-argument');
    const overOther = await rejection(service.saveAs(coords.id, target));
    expect(overOther.code).toBe('output-exists');
    const outside = await rejection(service.saveAs(coords.id, join(makeTempFolder('elsewhere'), 'x.h5')));
    expect(outside.code).toBe('forbidden');
    expect(sha256File(source)).toBe(before);
  });

  it('gives a clear error for files that are not HDF5 and keeps working', async () => {
    for (const name of ['not_hdf5.h5', 'zero_bytes.h5', 'truncated.h5']) {
      const error = await rejection(service.openPath(join(folder, name)));
      expect(error.code, name).toBe('not-hdf5');
      expect(error.message, name).toContain(name);
      expectOneLine(error);
    }
    const missing = await rejection(service.openPath(join(folder, 'missing.h5')));
    expect(missing.code).toBe('not-found');
    expect((await service.listFiles()).map((f) => f.name)).not.toContain('not_hdf5.h5');
    expect(((await service.getEntity(coords.id, '/coords')) as DatasetEntity).shape).toEqual([1000, 2]);
  });

  it('closes a file: it leaves the list and its id stops working', async () => {
    const structure = await service.openPath(join(folder, 'structure.h5'));
    await service.closeFile(structure.id);
    expect((await service.listFiles()).map((f) => f.id)).not.toContain(structure.id);
    expect((await rejection(service.getEntity(structure.id, '/'))).code).toBe('not-found');
  });

  it('refuses malformed calls before they reach the service, and works on afterwards', async () => {
    const refusals: [unknown, unknown, RegExp][] = [
      ['getValue', [coords.id, '/coords', [[5, 2], [0, 2]]], /getValue: argument 3\[0\] start must not be past stop/],
      ['getValue', [coords.id, '/coords', [[0.5, 2], [0, 2]]], /argument 3\[0\]\[0\]/],
      ['getEntity', [coords.id], /wrong number of arguments/],
      ['getEntity', ['../../etc', '/'], /argument 1 must be an id/],
      ['startRun', [{ fileId: coords.id, dataset: '/coords', strategy: 'pool', workers: 0 }], /argument 1\.workers must be at least 1/],
      ['startRun', [{ fileId: coords.id, dataset: '/coords', strategy: 'gpu', workers: 2 }], /argument 1\.strategy/],
      ['startRun', [{ fileId: coords.id, dataset: '/coords', strategy: 'pool', workers: 2, file: '/etc/passwd' }], /argument 1/],
      ['openPath', ['a\0b'], /NUL/],
      ['deleteEverything', [], /unknown method/],
      ['appInfo', 'not an array', /appInfo/],
    ];
    for (const [method, args, message] of refusals) {
      const outcome = await dispatchCall(service, method, args);
      expect(outcome.ok, String(method)).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.error.code, String(method)).toBe('invalid-argument');
      expect(outcome.error.message).toMatch(message);
      expectOneLine(outcome.error);
    }
    const fine = await dispatchCall(service, 'getValue', [coords.id, '/coords', [[0, 1], [0, 2]]]);
    expect(fine.ok).toBe(true);
    // Failures of valid calls cross as data too.
    const missing = await dispatchCall(service, 'getEntity', [coords.id, '/nope']);
    expect(missing).toEqual({ ok: false, error: expect.objectContaining({ code: 'not-found' }) });
  });

  it('reports versions: h5wasm from its package, HDF5 from the library, no Electron here', async () => {
    const info = await service.appInfo();
    const h5wasmPackage = JSON.parse(readFileSync(join(projectRoot, 'node_modules/h5wasm/package.json'), 'utf8')) as { version: string };
    expect(info.h5wasmVersion).toBe(h5wasmPackage.version);
    expect(info.hdf5Version).toMatch(/^\d+\.\d+\.\d+/);
    if (h5wasmPackage.version === '0.10.3') expect(info.hdf5Version).toBe('2.0.0');
    expect(info.electronVersion).toBeNull();
    expect(info.cores).toBe(availableParallelism());
    expect(info.host).toBe('serve');
    expect(info.nodeVersion).toBe(process.versions.node);
  });
});

/** The numeric fields of one compound element as h5py reads them, printed as float32 shortest text. */
async function h5pySliceFields(file: string, dataset: string, row: number): Promise<string[]> {
  const script = `
import sys, json, h5py, numpy as np
v = h5py.File(sys.argv[1], 'r')[sys.argv[2]][int(sys.argv[3])]
print(json.dumps([str(np.float32(v['x'])), str(np.float32(v['y']))]))
`;
  const { stdout } = await runPython(systemPython, ['-c', script, file, dataset, String(row)]);
  return JSON.parse(stdout) as string[];
}
