import type { Overview, OverviewRequest } from '@shared/overview';
import { constants, copyFileSync, realpathSync, renameSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type {
  AppInfo, MenuCommand, BrowseListing, ExportedScript, H5BlocksApi, LinkTarget, OpenFile, RunParams, RunRecord, SaveAsOptions, SearchResult, StatsParams,
  ValueOptions, PlanChoice, PlannedRun,
} from '@shared/api';
import { chooseRun, machineCores } from '../run/defaults';
import type { StatsResult } from '@shared/stats';
import type { ExpressionPreview } from '@shared/expression';
import type { Entity, ValueSlice } from '@shared/entities';
import { H5BlocksError } from '@shared/errors';
import type { RunRequest } from '@shared/run';
import type { ConfinementRules } from '../hdf5/confinement';
import { exportScript, planOfRun } from '../dask/exportScript';
import { getEntity } from '../hdf5/entities';
import { checkRequest, newRunId } from '../run/engine';
import { missingSources } from '../hdf5/virtual/sources';
import { relinkVirtualCopy } from '../run/virtualCopy';
import { IoThread } from '../io/ioThread';
import { materializeOnThread, statsOnThread } from '../io/threadRun';
import type { MaterializeResult, SaveAsVirtual, VirtualOutput } from '@shared/virtual';
import { lockFile, type OsLock } from '../transaction/osLock';
import { recoverFile } from '../transaction/recovery';
import { APP_VERSION } from '../version';
import { ActiveRuns } from './activeRuns';
import { EventBus, type ApiEventListener } from './eventBus';
import { fsError, removeQuietly } from '../fsErrors';
import type { HostAdapter } from './host';
import { OpenFiles } from './openFiles';
import { publicError } from './publicError';
import { RecentFiles } from './recentFiles';
import { RunHistory } from './runHistory';
import { SearchIndex } from './searchIndex';
import { SwmrWatch } from './swmrWatch';
import { libraryVersions } from './versions';

export interface AppServiceOptions {
  host: HostAdapter;
  /** Where recent.json and runs.json live. */
  userDataDir: string;
  /** Problems that must not fail a call (the history could not be saved); the host logs them. */
  warn?: (message: string) => void;
}

/**
 * The whole API, independent of Electron and of the WebSocket server: both
 * hosts wrap one AppService and pass in what only they can do (HostAdapter).
 * Callers go through dispatchCall (dispatch.ts), which validates arguments and
 * turns every failure into an ErrorInfo.
 */
export class AppService implements H5BlocksApi {
  private readonly host: HostAdapter;
  /** Files the user named to the host directly (serve's command line): HDF5 may read them even outside the roots. */
  private readonly trusted = new Set<string>();
  private readonly files = new OpenFiles((file) => this.confinementFor(file));
  private readonly searchIndex = new SearchIndex((fileId, paths) => this.files.children(fileId, paths));
  private readonly recent: RecentFiles;
  private readonly history: RunHistory;
  private readonly runs = new ActiveRuns({ warm: true });
  private readonly events = new EventBus();
  private readonly warn: (message: string) => void;
  private disposed = false;
  /** Files h5blocks itself is writing outside a run (materialize, Save As): their changes are not news. */
  private readonly writing = new Set<string>();
  private readonly swmrWatch = new SwmrWatch(() => this.files.list(), () => this.announceFiles());

  constructor(options: AppServiceOptions) {
    this.host = options.host;
    this.warn = options.warn ?? (() => undefined);
    const saveFailed = (what: string) => (error: unknown) =>
      this.warn(`could not save ${what} in ${options.userDataDir}: ${publicError(error).message}`);
    this.recent = new RecentFiles(options.userDataDir, saveFailed('the recent files'));
    this.history = new RunHistory(options.userDataDir, saveFailed('the run history'));
    // Other programs (a notebook, an acquisition) may write the files the user browses.
    this.files.watch((file) => this.events.emit('disk', { type: 'changed', file }), (path) => this.runs.isRunningOn(path) || this.writing.has(path));
  }

  subscribe(listener: ApiEventListener): () => void {
    return this.events.subscribe(listener);
  }

  async appInfo(): Promise<AppInfo> {
    const versions = libraryVersions();
    return {
      appVersion: APP_VERSION,
      h5wasmVersion: versions.h5wasm,
      hdf5Version: versions.hdf5,
      electronVersion: this.host.electronVersion,
      nodeVersion: process.versions.node,
      cores: availableParallelism(),
      host: this.host.kind,
    };
  }

  async listFiles(): Promise<OpenFile[]> {
    return this.files.list();
  }

  async showOpenDialog(): Promise<OpenFile | null> {
    const path = await this.host.showOpenDialog();
    return path === null ? null : this.open(path);
  }

  async browse(folder: string | null): Promise<BrowseListing> {
    return this.host.browse(folder);
  }

  async openPath(path: string): Promise<OpenFile> {
    return this.open(this.host.checkOpenPath(path, this.recent.list()));
  }

  /** A path the user gave the host directly (command line, native dialog, drop): no path policy applies. */
  async openTrusted(path: string): Promise<OpenFile> {
    this.trusted.add(resolve(path));
    return this.open(path);
  }

  /**
   * A file the host opens on the user's behalf (command line, drop, menu, second
   * launch): the UI hears about it as a 'host' event, success or failure alike.
   */
  async openForUser(path: string): Promise<OpenFile | undefined> {
    try {
      const file = await this.open(path);
      this.events.emit('host', { type: 'opened', file });
      return file;
    } catch (error) {
      this.events.emit('host', { type: 'open-failed', error: publicError(error) });
      return undefined;
    }
  }

  /** Asks the renderer to act on a menu command (it knows which file is on screen). */
  sendCommand(command: MenuCommand): void {
    this.events.emit('host', { type: 'command', command });
  }

  async recentFiles(): Promise<string[]> {
    return this.recent.list().filter((path) => isFile(path) && this.host.mayList(path) && recovered(path, this.warn));
  }

  async closeFile(fileId: string): Promise<void> {
    this.files.close(fileId);
    this.searchIndex.forget(fileId);
    this.announceFiles();
  }

  async saveAs(fileId: string, target: string | null, { replace = false, virtual = 'copy-shards' }: SaveAsOptions = {}): Promise<OpenFile | null> {
    const source = this.files.get(fileId);
    const overItself = () => new H5BlocksError('invalid-argument', `${source.name}: cannot save a file over itself; choose another name`, { file: source.path });
    if (target !== null && sameFileOnDisk(source.path, target)) throw overItself();
    const choice = await this.host.chooseSaveTarget(source, target, replace);
    if (choice === null) return null;
    if (sameFileOnDisk(source.path, choice.path)) throw overItself();
    if (this.runs.isRunningOn(choice.path)) {
      throw new H5BlocksError('busy', `${basename(choice.path)}: a run is writing to it; save under another name or wait until the run ends`, { file: choice.path });
    }
    const outputs = await this.files.virtualOutputs(fileId);
    copyUnderLocks(source.path, choice.path, choice.replace);
    if (outputs.length > 0) await this.finishVirtualCopy(source.path, choice.path, outputs, virtual, fileId);
    return this.open(choice.path);
  }

  async listVirtualOutputs(fileId: string): Promise<VirtualOutput[]> {
    return this.files.virtualOutputs(fileId);
  }

  async computeStats(params: StatsParams): Promise<StatsResult> {
    const file = this.files.get(params.fileId);
    if (this.runs.isRunningOn(file.path)) {
      throw new H5BlocksError('busy', `${file.name}: a run is writing to it; compute the statistics of ${params.dataset} when the run ends`, { file: file.path, object: params.dataset });
    }
    const { fileId: _fileId, ...rest } = params;
    const result = await this.onOwnThread(params.fileId, (thread) => statsOnThread(thread, { ...rest, file: file.path }, newRunId()));
    // The file now holds the statistics group: its size changed and open views must reload.
    this.announceFiles();
    return result;
  }

  async materialize(fileId: string, path: string): Promise<MaterializeResult> {
    const file = this.files.get(fileId);
    if (this.runs.isRunningOn(file.path)) {
      throw new H5BlocksError('busy', `${file.name}: a run is writing to it; materialize ${path} when the run ends`, { file: file.path, object: path });
    }
    this.writing.add(file.path);
    let result: MaterializeResult;
    try {
      result = await this.onOwnThread(fileId, (thread) => materializeOnThread(thread, file.path, path, newRunId()));
    } finally {
      this.files.wroteItself(file.path);
      this.writing.delete(file.path);
    }
    this.announceFiles();
    return result;
  }

  /** The copy's virtual datasets read again: their shards copied beside it, or their values stored in it. */
  private async finishVirtualCopy(source: string, target: string, outputs: VirtualOutput[], mode: SaveAsVirtual, fileId: string): Promise<void> {
    const missing = outputs.flatMap((o) => o.sources.filter((s) => s.missing).map((s) => s.file));
    if (mode === 'materialize' && missing.length > 0) {
      removeQuietly(target);
      throw missingSources(basename(source), source, outputs.find((o) => o.sources.some((s) => s.missing))!.dataset, missing);
    }
    try {
      await relinkVirtualCopy(source, target, outputs, mode, newRunId());
      if (mode === 'materialize') {
        await this.onOwnThread(fileId, async (thread) => {
          for (const output of outputs) await materializeOnThread(thread, target, output.dataset, newRunId());
        });
      }
    } catch (error) {
      removeQuietly(target);
      throw error;
    }
  }

  /** Work that writes a file, on an I/O thread of its own confined like the file's (a run's is too). */
  private async onOwnThread<T>(fileId: string, work: (thread: IoThread) => Promise<T>): Promise<T> {
    const thread = new IoThread({ confine: this.files.rulesFor(fileId) });
    try {
      return await work(thread);
    } finally {
      await thread.terminate();
    }
  }

  async getEntity(fileId: string, path: string): Promise<Entity> {
    return this.files.entity(fileId, path);
  }

  async getValue(fileId: string, path: string, ranges: [number, number][], options?: ValueOptions): Promise<ValueSlice> {
    return this.files.value(fileId, path, ranges, options);
  }

  /**
   * getValue's reply as UTF-8 JSON, for a transport that sends text (serve):
   * a large slice never exists as objects on the main thread, which keeps both
   * its event loop and its memory free of it.
   */
  async getValueJson(fileId: string, path: string, ranges: [number, number][], options?: ValueOptions): Promise<Uint8Array> {
    return this.files.valueJson(fileId, path, ranges, options);
  }

  async getOverview(fileId: string, path: string, request: OverviewRequest): Promise<Overview> {
    return this.files.overview(fileId, path, request);
  }

  async search(query: string): Promise<SearchResult> {
    return this.searchIndex.search(this.files.list(), query);
  }

  async openLinkTarget(fileId: string, linkPath: string): Promise<LinkTarget> {
    const source = this.files.get(fileId);
    const link = await this.files.entity(fileId, linkPath);
    if (link.kind !== 'external-link') {
      throw new H5BlocksError('invalid-argument', `${source.name}: ${linkPath} is not an external link`, { file: source.path, object: linkPath });
    }
    // Where HDF5 itself looks first: beside the file that holds the link.
    const target = isAbsolute(link.file) ? link.file : join(dirname(source.path), link.file);
    if (!isFile(target)) {
      throw new H5BlocksError('not-found', `${source.name}: ${linkPath} points to ${link.file}, which does not exist (looked for ${target})`, { file: source.path, object: linkPath });
    }
    // The desktop app opens what the user's own file links to; serve only inside its roots.
    const allowed = this.host.confinedTo ? this.host.checkOpenPath(target, this.recent.list()) : target;
    return { file: await this.open(allowed), path: link.target };
  }

  async previewExpression(fileId: string, dataset: string, expression: string): Promise<ExpressionPreview> {
    return this.files.expressionPreview(fileId, dataset, expression);
  }

  async planRuns(fileId: string, dataset: string, choices: PlanChoice[]): Promise<PlannedRun[]> {
    const entity = await this.files.entity(fileId, dataset);
    if (entity.kind !== 'dataset' || !entity.shape || entity.shape.length === 0) {
      throw new H5BlocksError('invalid-argument', `${dataset} is not a dataset with rows to run on`, { object: dataset });
    }
    const rows = entity.shape[0];
    // The evidence the engine chooses from (inputDataset.ts), read from the same object.
    const evidence = {
      rows, rowBytes: entity.shape.slice(1).reduce((a, b) => a * b, 1) * entity.dtype.size, chunkRows: entity.chunks?.[0] ?? undefined,
      filtered: entity.filters.length > 0, directChunks: false, cores: machineCores(),
    };
    return choices.map((choice) => {
      const chosen = chooseRun(choice, evidence);
      const { strategy, workers } = chosen;
      // As the engine does: a block larger than the dataset is the whole dataset.
      const blockRows = Math.min(chosen.blockRows, Math.max(1, rows));
      return { strategy, workers, blockRows, blocks: Math.ceil(rows / blockRows) };
    });
  }

  async startRun(params: RunParams): Promise<{ runId: string }> {
    const file = this.files.get(params.fileId);
    const request: RunRequest = {
      file: file.path, dataset: params.dataset, compute: params.compute, ...(params.expression !== undefined ? { expr: params.expression } : {}), strategy: params.strategy, workers: params.workers,
      blockRows: params.blockRows, output: params.output, overwrite: params.overwrite,
      ...(params.scheduler ? { scheduler: params.scheduler } : {}),
      ...(params.live ? { live: true } : {}), ...(params.upgradeFormat ? { upgradeFormat: true } : {}),
    };
    checkRequest(request);
    const runId = this.runs.start(request, {
      onProgress: (progress) => this.events.emit('run', { type: 'progress', progress }),
      onActivity: (activity) => this.events.emit('runActivity', activity),
      onFinished: (result) => {
        this.files.wroteItself(request.file);
        // The expression is kept with the run (history, Compare) whatever the engine's record says.
        const record = this.history.add(request.expr !== undefined && result.expression === undefined ? { ...result, expression: request.expr } : result);
        this.events.emit('run', { type: 'finished', result: record });
        // The file now holds the output: its size changed and open views must reload.
        this.announceFiles();
      },
      onFailed: (failedRunId, error) => {
        this.files.wroteItself(request.file);
        this.events.emit('run', { type: 'failed', runId: failedRunId, error: publicError(error) });
      },
    }, this.files.rulesFor(params.fileId));
    return { runId };
  }

  async cancelRun(runId: string): Promise<void> {
    if (this.runs.has(runId)) {
      this.runs.cancel(runId);
      return;
    }
    if (!this.history.has(runId)) throw new H5BlocksError('not-found', `no run has the id "${runId}"`);
    // Already finished: nothing left to cancel.
  }

  async listRuns(): Promise<RunRecord[]> {
    return this.history.list();
  }

  async clearRuns(): Promise<void> {
    this.history.clear();
  }

  async exportScript(runId: string): Promise<ExportedScript> {
    const run = this.history.list().find((record) => record.id === runId);
    if (!run) throw new H5BlocksError('not-found', `no run has the id "${runId}"`);
    return { fileName: `h5blocks-${run.strategy}-${run.id}.py`, text: exportScript(planOfRun(run), APP_VERSION) };
  }

  /** Cancels runs (waiting until each has rolled back) and closes every file. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.swmrWatch.stop();
    await this.runs.cancelAll();
    await this.files.closeAll();
  }

  private async open(path: string): Promise<OpenFile> {
    const file = await this.files.open(path);
    this.recent.add(file.path);
    this.host.noteOpened?.(file.path);
    this.host.recentChanged?.(this.recent.list());
    this.announceFiles();
    return file;
  }

  private confinementFor(file: string): ConfinementRules | undefined {
    const roots = this.host.confinedTo;
    if (!roots) return undefined;
    return { roots: [...roots], files: this.trusted.has(file) ? [file] : [] };
  }

  private announceFiles(): void {
    this.events.emit('files', { type: 'files', files: this.files.list() });
  }
}

/** Finishes or rolls back a run interrupted on a recent file (at the app's start); a file that cannot be recovered is still listed. */
function recovered(path: string, warn: (message: string) => void): boolean {
  try {
    recoverFile(path);
  } catch (error) {
    warn(publicError(error).message);
  }
  return true;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function sameFileOnDisk(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    // The target does not exist yet, so it cannot be the source.
    return false;
  }
}

/**
 * HDF5's lock, as libhdf5 would take it: the source shared while it is read
 * (a writer at work in another program would give a torn copy), a file being
 * replaced exclusively (a program that has it open would go on writing to the
 * replaced file, and its work would be lost). Either held elsewhere refuses
 * the Save As in one line naming the program.
 */
function copyUnderLocks(source: string, target: string, replace: boolean): void {
  const locked = (path: string, mode: 'shared' | 'exclusive'): OsLock => {
    try {
      return lockFile(path, mode, { again: 'save again' });
    } catch (error) {
      throw error instanceof H5BlocksError ? error : fsError(error, path, 'save a copy there');
    }
  };
  const reading = locked(source, 'shared');
  let replacing: OsLock | undefined;
  try {
    if (replace && isFile(target)) replacing = locked(target, 'exclusive');
    copyWhole(source, target, replace);
  } finally {
    replacing?.release();
    reading.release();
  }
}

/**
 * Copies a whole file. A new name is created exclusively (a file that appeared
 * meanwhile is not replaced); a replacement is copied beside the target first
 * and renamed over it, so the old file stays whole until the copy is complete.
 */
function copyWhole(source: string, target: string, replace: boolean): void {
  const flags = constants.COPYFILE_FICLONE;
  if (!replace) {
    try {
      copyFileSync(source, target, flags | constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') removeQuietly(target);
      throw fsError(error, target, 'save a copy there');
    }
    return;
  }
  const staged = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.h5blocks-saving`);
  try {
    copyFileSync(source, staged, flags | constants.COPYFILE_EXCL);
    renameSync(staged, target);
  } catch (error) {
    removeQuietly(staged);
    throw fsError(error, target, 'save a copy there');
  }
}
