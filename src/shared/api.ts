// The one typed API between the renderer and the main process. Its transport
// is Electron IPC in the desktop app and a loopback WebSocket in
// `h5blocks serve`; both carry exactly these methods and events, and the main
// process validates every argument against src/shared/apiSchema.ts.
//
// The renderer never names arbitrary paths: it refers to files by the id the
// main process gave them when the user opened them (dialog, drop, recent list,
// command line). Only `openPath` takes a path, and the host checks it: in
// Electron it must come from a drop or the recent list, in serve it must lie
// under the folders named on the command line.

import type { Overview, OverviewRequest } from './overview';
import type { ExpressionPreview } from './expression';
import type { Entity, EntityKind, ValueSlice } from './entities';
import type { ErrorInfo } from './errors';
import type { RunActivityReport, RunProgress, RunRequest, RunResult, Strategy } from './run';
import type { StatsResult } from './stats';
import type { MaterializeResult, SaveAsVirtual, VirtualOutput } from './virtual';

export interface OpenFile {
  id: string;
  path: string;
  name: string;
  sizeBytes: number;
  /** Another program has the file open as a SWMR writer (its superblock says so): it may grow while it is shown. */
  beingWritten?: boolean;
}

export interface BrowseEntry {
  name: string;
  path: string;
  kind: 'folder' | 'file';
  sizeBytes?: number;
}

export interface BrowseListing {
  folder: string;
  parent: string | null;
  entries: BrowseEntry[];
}

/** One object whose path matches a search, in one of the open files. */
export interface SearchMatch {
  fileId: string;
  fileName: string;
  path: string;
  name: string;
  kind: EntityKind;
}

export interface SearchResult {
  /** The best matches (exact names, then names that start with the query, then the rest), at most 500. */
  matches: SearchMatch[];
  /** How many objects match in all. */
  total: number;
  /** Files whose index is still being built: the matches are partial, ask again. */
  indexing: string[];
}

/** Where an external link leads, once its file is open. */
export interface LinkTarget {
  file: OpenFile;
  /** The object the link names in that file. */
  path: string;
}

/** What the renderer asks for; file and paths resolved by the main process. */
export interface RunParams {
  fileId: string;
  dataset: string;
  /** The per-row kernel; default `norm`. */
  compute?: string;
  /** The user's own per-row expression, in place of `compute` (RunRequest.expr). */
  expression?: string;
  strategy: Strategy;
  workers: number;
  blockRows?: number;
  output?: string;
  overwrite?: boolean;
  /** dask: the scheduler's address; absent for a local cluster. */
  scheduler?: string;
  /** Readable while running (SWMR): see RunRequest.live. */
  live?: boolean;
  /** live: upgrade an older file's format (the user agreed; HDF5 1.8 tools then cannot open it). */
  upgradeFormat?: boolean;
}

/** Whole-dataset statistics asked by the renderer (see StatsRequest). */
export interface StatsParams {
  fileId: string;
  dataset: string;
  strategy: Exclude<Strategy, 'vds'>;
  workers: number;
  blockRows?: number;
  bins?: number;
  range?: [number, number];
  output?: string;
  overwrite?: boolean;
}

export interface RunRecord extends RunResult {
  fileName: string;
  /** Whether this run's output hash equals every other run's on the same file and dataset; null when it is the only one. */
  matchesOthers: boolean | null;
  /** For runs other than pool: whether the output equals the pool runs' on the same file and dataset bit for bit; null without one. */
  matchesPool: boolean | null;
}

/** A Python script (h5py + dask.distributed) that performs a run's plan again. */
export interface ExportedScript {
  fileName: string;
  text: string;
}

export interface AppInfo {
  appVersion: string;
  h5wasmVersion: string;
  hdf5Version: string;
  electronVersion: string | null;
  nodeVersion: string;
  cores: number;
  host: 'electron' | 'serve';
}

/** A configuration as a form has it: what is not given is left to the run. */
export interface PlanChoice {
  strategy: Strategy;
  workers?: number;
  blockRows?: number;
}

export interface PlannedRun {
  strategy: Strategy;
  workers: number;
  blockRows: number;
  /** Blocks the dataset makes at that size. */
  blocks: number;
}

export type RunEvent =
  | { type: 'progress'; progress: RunProgress }
  | { type: 'finished'; result: RunRecord }
  | { type: 'failed'; runId: string; error: ErrorInfo };

export type FilesEvent = { type: 'files'; files: OpenFile[] };

/** Another program changed an open file on disk: views of it reload (checked every second; see OpenFiles.watch). */
export type DiskEvent = { type: 'changed'; file: OpenFile };

/** What the renderer is asked to do from the native menu; it knows which file is on screen, the host does not. */
export type MenuCommand = 'save-as' | 'close-file' | 'reload-file' | 'toggle-theme';

/**
 * Things the host did on its own (menu, drop, command line, second launch) that the
 * UI should show: a file it opened, a file it could not open, a menu command.
 */
export type HostEvent =
  | { type: 'opened'; file: OpenFile }
  | { type: 'open-failed'; error: ErrorInfo }
  | { type: 'command'; command: MenuCommand };

/**
 * Emitted by the WebSocket transport itself (never by the main process): the
 * page lost its connection to `h5blocks serve` and is retrying, or is back.
 * Calls made while reconnecting wait; calls in flight when it dropped reject.
 */
export type ConnectionEvent = { type: 'connection'; state: 'connected' | 'reconnecting' };

export interface ApiEvents {
  run: RunEvent;
  /** What a running run's lanes are doing, between its progress events (an event of its own: 'run' stays progress, finished, failed). */
  runActivity: RunActivityReport;
  files: FilesEvent;
  disk: DiskEvent;
  host: HostEvent;
  connection: ConnectionEvent;
}

/**
 * Every method resolves with its result or rejects with an ErrorInfo-shaped
 * error (code + one-line message), never a stack trace.
 */
/** Save As: whether an existing target may be replaced (the user confirmed), and what the copy does with virtual datasets' shards. */
export interface SaveAsOptions {
  replace?: boolean;
  virtual?: SaveAsVirtual;
}

export interface H5BlocksApi {
  appInfo(): Promise<AppInfo>;

  // Files the user opened
  listFiles(): Promise<OpenFile[]>;
  /** Electron: the native dialog. serve: null (the renderer browses with `browse`). */
  showOpenDialog(): Promise<OpenFile | null>;
  /**
   * serve: the folders and files under the allowed roots (hidden files left out).
   * `null` asks for the top: the root itself when there is one, else a listing
   * (folder '') of the roots. A listing whose `parent` is null is the top.
   * Anything outside the roots, also through `..` or a symbolic link, rejects with
   * 'forbidden'. Electron: rejects with 'forbidden' (it has the native dialog).
   */
  browse(folder: string | null): Promise<BrowseListing>;
  openPath(path: string): Promise<OpenFile>;
  recentFiles(): Promise<string[]>;
  closeFile(fileId: string): Promise<void>;
  /**
   * Copies the file (with its results) to a new path and opens the copy; the
   * original is never touched. Electron: `target` must be null, the native dialog
   * asks (null result when the user cancels). serve: `target` is a path under a
   * root; an existing file there is replaced only when `replace` is true (the
   * user confirmed), else 'output-exists'. Never the source itself.
   */
  saveAs(fileId: string, target: string | null, options?: SaveAsOptions): Promise<OpenFile | null>;
  /**
   * The file's virtual datasets (a vds run's outputs among them) and their
   * source files, with which are missing. Save As asks what to do with them.
   */
  listVirtualOutputs(fileId: string): Promise<VirtualOutput[]>;
  /**
   * Replaces a virtual dataset by a regular one with the same values and
   * attributes, then removes the h5blocks shards it used; through the write
   * path's transaction, like a run. 'not-found' naming the missing sources when
   * some are gone; 'invalid-argument' when the dataset is not virtual.
   */
  materialize(fileId: string, path: string): Promise<MaterializeResult>;

  // Explorer (h5web-style provider)
  getEntity(fileId: string, path: string): Promise<Entity>;
  /**
   * A window of values; `ranges` has one [start, stop) per dimension (none for a
   * scalar). At most 1e6 elements ('too-large' beyond). A 'numbers' slice holds
   * numbers: integers beyond 2^53 arrive as exact decimal strings, and on the wire
   * NaN and ±Infinity travel as the strings 'NaN', 'Infinity', '-Infinity' so
   * that JSON keeps them; the typed client (createApiClient) turns them back into
   * numbers. A 'text' slice (strings, compounds, references, variable-length
   * data) holds one display string per element; with `fields`, a compound
   * dataset's slice holds one string per field of each element instead (nested
   * compounds flattened, named with dots in `fields`).
   */
  getValue(fileId: string, path: string, ranges: [number, number][], options?: ValueOptions): Promise<ValueSlice>;
  /**
   * A whole numeric dataset reduced to what a plot needs (per-bin min and max
   * of a line, a row sample of points, block means of an image), computed in the
   * file's I/O thread block by block. Numbers travel as getValue's do.
   */
  getOverview(fileId: string, path: string, request: OverviewRequest): Promise<Overview>;
  /**
   * Objects of every open file whose path contains `query` (case-insensitive),
   * in every group whether the tree has expanded it or not. Large files are
   * indexed in the background: `indexing` names them until they are done.
   */
  search(query: string): Promise<SearchResult>;
  /**
   * Opens the file an external link points to (found as HDF5 finds it: beside
   * the linking file unless the name is absolute) and says which object to
   * select there. 'not-found' when the link or its file is missing; serve:
   * 'forbidden' when that file lies outside the roots.
   */
  openLinkTarget(fileId: string, linkPath: string): Promise<LinkTarget>;

  /**
   * The Run tab's expression box, as the user types: `expression` checked
   * against the dataset's shape and type (ok: false with the 1-based character
   * and a plain sentence when refused) and, when it is good, its first results
   * on the dataset's first rows (at most 10, from a bounded read), computed by
   * the run's own kernel in the file's I/O thread. The renderer never evaluates
   * it. Numbers travel as getValue's do.
   */
  previewExpression(fileId: string, dataset: string, expression: string): Promise<ExpressionPreview>;

  // Runs
  /**
   * Starts a run and returns its id at once; progress, finish and failure arrive
   * as 'run' events (to every connected window/page), always after this resolves.
   */
  startRun(params: RunParams): Promise<{ runId: string }>;
  /**
   * What runs of these configurations on a dataset would use, by the engine's
   * own rule (src/main/run/defaults.ts): the block rows (and workers) a
   * configuration leaves to the run, so a form names them before it runs.
   */
  planRuns(fileId: string, dataset: string, choices: PlanChoice[]): Promise<PlannedRun[]>;
  cancelRun(runId: string): Promise<void>;
  /** Every run so far, kept across restarts. */
  listRuns(): Promise<RunRecord[]>;
  clearRuns(): Promise<void>;
  /** The run's plan as a self-contained Python script for a Dask cluster ('not-found' for an unknown run). */
  exportScript(runId: string): Promise<ExportedScript>;
  /**
   * Whole-dataset statistics by map-reduce, written as a group beside the input
   * through the run's transaction; resolves when they are done ('busy' while a
   * run writes the file). Non-finite figures arrive as null over the WebSocket.
   */
  computeStats(params: StatsParams): Promise<StatsResult>;
}

/** How getValue returns a slice. */
export interface ValueOptions {
  /** A compound's values one field at a time (a table column per field) instead of one text per element. */
  fields?: boolean;
}

export type ApiMethod = keyof H5BlocksApi;

/** Every method name, for code that needs them at run time (the typed client, the dispatcher). */
export const API_METHODS = [
  'appInfo', 'listFiles', 'showOpenDialog', 'browse', 'openPath', 'recentFiles', 'closeFile', 'saveAs', 'listVirtualOutputs', 'materialize',
  'getEntity', 'getValue', 'getOverview', 'search', 'openLinkTarget', 'previewExpression', 'startRun', 'planRuns', 'cancelRun', 'listRuns', 'clearRuns', 'exportScript', 'computeStats',
] as const satisfies readonly ApiMethod[];

// Fails to compile when a method is added to H5BlocksApi but not to API_METHODS.
type MissingMethod = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const everyMethodListed: MissingMethod extends never ? true : never = true;
void everyMethodListed;

/** The transport both hosts provide: one request/response call and one event stream. */
export interface ApiTransport {
  call(method: ApiMethod, args: unknown[]): Promise<unknown>;
  subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}
