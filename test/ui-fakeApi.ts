// A fake H5BlocksApi for the renderer's component tests, fed with real data:
// entities come from `h5blocks tree --json` on corpus files and runs from
// `h5blocks run --json` on copies of them, so the UI sees exactly the shapes
// the main process sends. Calls are recorded for the tests to inspect.

import { chooseRun } from '../src/main/run/defaults';
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import type { ApiEvents, AppInfo, H5BlocksApi, OpenFile, RunParams, RunRecord } from '../src/shared/api';
import type { ChildSummary, Entity, ValueSlice } from '../src/shared/entities';
import type { ErrorInfo } from '../src/shared/errors';
import type { Overview } from '../src/shared/overview';
import type { ExpressionPreview } from '../src/shared/expression';
import { preview as previewRows } from '../src/workers/kernels/expression';
import type { RunResult, Strategy } from '../src/shared/run';
import type { ApiClient } from '../src/renderer/src/app/apiContext';
import { copyCorpus, makeTempFolder } from './support/files';
import { cliScript, corpusFile, projectRoot } from './support/paths';

type TreeEntity = Entity & { children?: TreeEntity[] };

/** Every object of a corpus file by path, as `h5blocks tree --json` describes them. */
export function corpusEntities(name: string): Map<string, Entity> {
  const output = execFileSync(process.execPath, [cliScript, 'tree', '--json', corpusFile(name)], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const { root } = JSON.parse(output) as { root: TreeEntity };
  const entities = new Map<string, Entity>();
  const visit = (entity: TreeEntity) => {
    if (entity.kind === 'group') {
      const children = (entity.children ?? []) as TreeEntity[];
      // The API lists a group's children as summaries; the tree output nests them whole.
      entities.set(entity.path, { ...entity, children: children.map((c): ChildSummary => ({ name: c.name, path: c.path, kind: c.kind })) });
      children.forEach(visit);
    } else {
      entities.set(entity.path, entity);
    }
  };
  visit(root);
  return entities;
}

/** A real run of the engine on a copy of a corpus file. */
export function realRun(name: string, strategy: Strategy, workers: number, blockRows: number): RunResult {
  const file = copyCorpus(name, makeTempFolder('ui-run'));
  const output = execFileSync(process.execPath, [
    cliScript, 'run', file, '--dataset', '/coords', '--strategy', strategy, '--workers', String(workers), '--block-rows', String(blockRows), '--json',
  ], { cwd: projectRoot, encoding: 'utf8' });
  return JSON.parse(output) as RunResult;
}

/** Run records as the main process keeps them: file name and whether outputs agree within file+dataset. */
export function asRecords(results: RunResult[], fileForAll?: string): RunRecord[] {
  const normalised = results.map((r) => ({ ...r, file: fileForAll ?? r.file }));
  return normalised.map((r) => {
    const others = normalised.filter((o) => o.id !== r.id && o.file === r.file && o.dataset === r.dataset);
    const pool = r.strategy === 'pool' ? [] : others.filter((o) => o.strategy === 'pool');
    return {
      ...r, fileName: basename(r.file),
      matchesOthers: others.length === 0 ? null : others.every((o) => o.outputSha256 === r.outputSha256),
      matchesPool: pool.length === 0 ? null : pool.every((o) => o.outputSha256 === r.outputSha256),
    };
  });
}

export interface FakeFile {
  file: OpenFile;
  entities: Map<string, Entity>;
}

export interface FakeOptions {
  files: { name: string; entities: Map<string, Entity> }[];
  runs?: RunRecord[];
  host?: AppInfo['host'];
  cores?: number;
  /** What a started run does; default: a run that never reports (tests drive events themselves). */
  onStartRun?: (params: RunParams, fake: FakeApi) => { runId: string } | ErrorInfo;
}

type Listener = (payload: never) => void;

export class FakeApi {
  readonly calls: { method: keyof H5BlocksApi; args: unknown[] }[] = [];
  readonly files: FakeFile[];
  runs: RunRecord[];
  private readonly listeners = new Map<keyof ApiEvents, Set<Listener>>();
  private nextRun = 1;

  constructor(private readonly options: FakeOptions) {
    this.files = options.files.map(({ name, entities }, i) => ({
      file: { id: `f${i + 1}`, path: `/data/${name}`, name, sizeBytes: 10_048 + i },
      entities,
    }));
    this.runs = options.runs ?? [];
  }

  /** Paths asked for with getEntity, in order. */
  entityRequests(): string[] {
    return this.calls.filter((c) => c.method === 'getEntity').map((c) => c.args[1] as string);
  }

  startRunCalls(): RunParams[] {
    return this.calls.filter((c) => c.method === 'startRun').map((c) => c.args[0] as RunParams);
  }

  newRunId(): string {
    return `run-${this.nextRun++}`;
  }

  emit<E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: ApiEvents[E]) => void)(payload);
  }

  private fileById(fileId: string): FakeFile {
    const found = this.files.find((f) => f.file.id === fileId);
    if (!found) throw { code: 'not-found', message: `no open file ${fileId}` } satisfies ErrorInfo;
    return found;
  }

  private record<T>(method: keyof H5BlocksApi, args: unknown[], answer: () => T): Promise<T> {
    this.calls.push({ method, args });
    try {
      return Promise.resolve(answer());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  readonly api: H5BlocksApi = {
    appInfo: () => this.record('appInfo', [], () => ({
      appVersion: '0.1.0', h5wasmVersion: '0.10.3', hdf5Version: '1.14', electronVersion: null, nodeVersion: '20',
      cores: this.options.cores ?? 4, host: this.options.host ?? 'serve',
    })),
    listFiles: () => this.record('listFiles', [], () => this.files.map((f) => f.file)),
    showOpenDialog: () => this.record('showOpenDialog', [], () => null),
    browse: (folder) => this.record('browse', [folder], () => ({
      folder: '/data', parent: null,
      entries: this.files.map((f) => ({ name: f.file.name, path: f.file.path, kind: 'file' as const, sizeBytes: f.file.sizeBytes })),
    })),
    openPath: (path) => this.record('openPath', [path], () => {
      const found = this.files.find((f) => f.file.path === path);
      if (!found) throw { code: 'not-hdf5', message: `${basename(path)}: cannot open as HDF5: file signature not found` } satisfies ErrorInfo;
      return found.file;
    }),
    recentFiles: () => this.record('recentFiles', [], () => this.files.map((f) => f.file.path)),
    closeFile: (fileId) => this.record('closeFile', [fileId], () => undefined),
    saveAs: (fileId, target, options) => this.record('saveAs', options === undefined ? [fileId, target] : [fileId, target, options], () => null),
    openLinkTarget: (fileId, linkPath) => this.record('openLinkTarget', [fileId, linkPath], () => {
      const { file, entities } = this.fileById(fileId);
      const link = entities.get(linkPath);
      if (link?.kind !== 'external-link') throw { code: 'invalid-argument', message: `${file.name}: ${linkPath} is not an external link` } satisfies ErrorInfo;
      // The fake's files all sit in one folder: a link's target is one of them or missing.
      const target = this.files.find((f) => f.file.name === link.file);
      if (!target) throw { code: 'not-found', message: `${file.name}: ${linkPath} points to ${link.file}, which does not exist` } satisfies ErrorInfo;
      return { file: target.file, path: link.target };
    }),
    listVirtualOutputs: (fileId) => this.record('listVirtualOutputs', [fileId], () => {
      const { entities } = this.fileById(fileId);
      return [...entities.values()].flatMap((e) => e.kind === 'dataset' && e.layout === 'virtual'
        ? [{ dataset: e.path, sources: (e.externalSources ?? []).map((s) => ({ file: s.file, resolved: `/data/${s.file}`, missing: s.missing === true })) }]
        : []);
    }),
    materialize: (fileId, path) => this.record('materialize', [fileId, path], () => {
      const { file } = this.fileById(fileId);
      return { file: file.path, dataset: path, rows: 0, removedShards: 0 };
    }),
    getEntity: (fileId, path) => this.record('getEntity', [fileId, path], () => {
      const { file, entities } = this.fileById(fileId);
      const entity = entities.get(path);
      if (!entity) throw { code: 'not-found', message: `${file.name}: ${path}: no such object` } satisfies ErrorInfo;
      return entity;
    }),
    // The engine's own rule (defaults.ts), on the fake's entity and cores.
    planRuns: (fileId, path, choices) => this.record('planRuns', [fileId, path, choices], () => {
      const { file, entities } = this.fileById(fileId);
      const entity = entities.get(path);
      if (entity?.kind !== 'dataset' || !entity.shape?.length) throw { code: 'invalid-argument', message: `${file.name}: ${path} is not a dataset with rows to run on` } satisfies ErrorInfo;
      const rows = entity.shape[0];
      const evidence = {
        rows, rowBytes: entity.shape.slice(1).reduce((a, b) => a * b, 1) * entity.dtype.size, chunkRows: entity.chunks?.[0],
        filtered: entity.filters.length > 0, directChunks: false, cores: this.options.cores ?? 4,
      };
      return choices.map((choice) => {
        const chosen = chooseRun(choice, evidence);
        const blockRows = Math.min(chosen.blockRows, Math.max(1, rows));
        return { strategy: chosen.strategy, workers: chosen.workers, blockRows, blocks: Math.ceil(rows / blockRows) };
      });
    }),
    getValue: (fileId, path, ranges) => this.record('getValue', [fileId, path, ranges], (): ValueSlice => {
      const shape = ranges.map(([start, stop]) => stop - start);
      const count = shape.reduce((a, b) => a * b, 1);
      return { path, ranges, shape, kind: 'numbers', values: Array.from({ length: count }, (_, i) => i / 8) };
    }),
    // A flat line at 0 (bins of min 0, max 1), as a test of the Data tab needs no more.
    getOverview: (fileId, path, request) => this.record('getOverview', [fileId, path, request], (): Overview => {
      if (request.kind === 'line') return { kind: 'line', length: 10, start: 0, stop: 10, exact: true, binWidth: 1, min: [0, 1, 2], max: [0, 1, 2] };
      if (request.kind === 'points') return { kind: 'points', rows: 3, columns: 2, step: 1, sampled: 3, values: [0, 0, 1, 1, 2, 2] };
      return { kind: 'image', height: 2, width: 2, factor: 1, shape: [2, 2], values: [0, 1, 2, 3] };
    }),
    search: (query) => this.record('search', [query], () => {
      const needle = query.trim().toLowerCase();
      const matches = this.files.flatMap(({ file, entities }) => [...entities.values()]
        .filter((e) => e.path !== '/' && needle !== '' && e.path.toLowerCase().includes(needle))
        .map((e) => ({ fileId: file.id, fileName: file.name, path: e.path, name: e.name, kind: e.kind })));
      return { matches, total: matches.length, indexing: [] };
    }),
    // The real language on the fake's values (getValue's: element k is k / 8): refusals are the kernel's own sentences.
    previewExpression: (fileId, dataset, expression) => this.record('previewExpression', [fileId, dataset, expression], (): ExpressionPreview => {
      const { file, entities } = this.fileById(fileId);
      const entity = entities.get(dataset);
      if (entity?.kind !== 'dataset' || !entity.shape) throw { code: 'not-found', message: `${file.name}: ${dataset}: no such dataset` } satisfies ErrorInfo;
      const rows = Math.min(10, entity.shape[0]);
      const perRow = entity.shape.slice(1).reduce((a, b) => a * b, 1);
      const sample = { values: Array.from({ length: rows * perRow }, (_, k) => k / 8), shape: [rows, ...entity.shape.slice(1)], dtype: entity.dtype };
      const result = previewRows(expression, sample);
      if (!result.ok) return result;
      return { ok: true, outputType: result.outputType, rows: entity.shape[0], values: result.values, nonFinite: result.nonFinite };
    }),
    startRun: (params) => this.record('startRun', [params], () => {
      const outcome = this.options.onStartRun?.(params, this) ?? { runId: this.newRunId() };
      if ('code' in outcome) throw outcome;
      return outcome;
    }),
    cancelRun: (runId) => this.record('cancelRun', [runId], () => undefined),
    listRuns: () => this.record('listRuns', [], () => this.runs),
    clearRuns: () => this.record('clearRuns', [], () => {
      this.runs = [];
    }),
    exportScript: (runId) => this.record('exportScript', [runId], () => {
      const run = this.runs.find((r) => r.id === runId);
      if (!run) throw { code: 'not-found', message: `no run has the id "${runId}"` } satisfies ErrorInfo;
      return { fileName: `h5blocks-${run.strategy}-${run.id}.py`, text: `# script for ${run.id}\n` };
    }),
    // Figures a test can recognise: one group per column of a 2-D dataset, counts 1..bins.
    computeStats: (params) => this.record('computeStats', [params], () => {
      const { file, entities } = this.fileById(params.fileId);
      const entity = entities.get(params.dataset);
      const shape = entity?.kind === 'dataset' ? entity.shape ?? [0] : [0];
      const bins = params.bins ?? 10;
      const groups = Array.from({ length: shape.length === 2 ? shape[1] : 1 }, (_, g) => ({
        ...(shape.length === 2 ? { column: g } : {}), count: 100, nanCount: g, min: -1, max: 1, mean: g / 10, std: 0.5,
        histogram: { edges: Array.from({ length: bins + 1 }, (_, i) => -1 + (2 * i) / bins), counts: Array.from({ length: bins }, (_, i) => i + 1) },
      }));
      return {
        id: 'stats-1', file: file.path, dataset: params.dataset, output: `${params.dataset}_stats`, strategy: params.strategy, workers: params.workers,
        blockRows: 100, leafRows: 100, shape, inputDtype: 'f4', perColumn: shape.length === 2, bins, passes: params.range ? 1 : 2, groups,
        startedAt: new Date(0).toISOString(), wallMs: 12, summary: { wallMs: 12, rowsPerSecond: 1, mbPerSecond: 1, phaseTotals: [], lanes: [] }, runPhases: [], blocks: [],
      };
    }),
  };

  readonly client: ApiClient = {
    api: this.api,
    subscribe: (event, listener) => {
      const set = this.listeners.get(event) ?? new Set<Listener>();
      set.add(listener as Listener);
      this.listeners.set(event, set);
      return () => set.delete(listener as Listener);
    },
  };
}

/** The engine's collision rule, for fakes that should refuse a taken output like the real run does. */
export function outputExistsError(fake: FakeApi, params: RunParams): ErrorInfo | null {
  const file = fake.files.find((f) => f.file.id === params.fileId)!;
  const output = params.output ?? '/distances';
  if (params.overwrite || !file.entities.has(output)) return null;
  return { code: 'output-exists', message: `${file.file.name}: ${output} already exists (a dataset); choose another output name, or overwrite it`, object: output };
}
