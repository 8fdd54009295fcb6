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

import type { Entity, ValueSlice } from './entities';
import type { ErrorInfo } from './errors';
import type { RunProgress, RunRequest, RunResult } from './run';

export interface OpenFile {
  id: string;
  path: string;
  name: string;
  sizeBytes: number;
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

/** What the renderer asks for; file and paths resolved by the main process. */
export interface RunParams {
  fileId: string;
  dataset: string;
  strategy: RunRequest['strategy'];
  workers: number;
  blockRows?: number;
  output?: string;
  overwrite?: boolean;
}

export interface RunRecord extends RunResult {
  fileName: string;
  /** Whether this run's output hash equals every other run's on the same file and dataset. */
  matchesOthers: boolean | null;
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

export type RunEvent =
  | { type: 'progress'; progress: RunProgress }
  | { type: 'finished'; result: RunRecord }
  | { type: 'failed'; runId: string; error: ErrorInfo };

export type FilesEvent = { type: 'files'; files: OpenFile[] };

export interface ApiEvents {
  run: RunEvent;
  files: FilesEvent;
}

/**
 * Every method resolves with its result or rejects with an ErrorInfo-shaped
 * error (code + one-line message), never a stack trace.
 */
export interface H5BlocksApi {
  appInfo(): Promise<AppInfo>;

  // Files the user opened
  listFiles(): Promise<OpenFile[]>;
  /** Electron: the native dialog. serve: null (the renderer browses with `browse`). */
  showOpenDialog(): Promise<OpenFile | null>;
  /** serve: folders under the allowed roots. Electron: rejects with 'forbidden'. */
  browse(folder: string | null): Promise<BrowseListing>;
  openPath(path: string): Promise<OpenFile>;
  recentFiles(): Promise<string[]>;
  closeFile(fileId: string): Promise<void>;
  /** Copies the file (with its results) to a new path chosen in a dialog (Electron) or given (serve, under a root). */
  saveAs(fileId: string, target: string | null): Promise<OpenFile | null>;

  // Explorer (h5web-style provider)
  getEntity(fileId: string, path: string): Promise<Entity>;
  /** A window of values; `ranges` has one [start, stop) per dimension. At most 1e6 elements. */
  getValue(fileId: string, path: string, ranges: [number, number][]): Promise<ValueSlice>;

  // Runs
  /** Starts a run and returns its id at once; progress, finish and failure arrive as 'run' events. */
  startRun(params: RunParams): Promise<{ runId: string }>;
  cancelRun(runId: string): Promise<void>;
  /** Every run so far, kept across restarts. */
  listRuns(): Promise<RunRecord[]>;
  clearRuns(): Promise<void>;
}

export type ApiMethod = keyof H5BlocksApi;

/** The transport both hosts provide: one request/response call and one event stream. */
export interface ApiTransport {
  call(method: ApiMethod, args: unknown[]): Promise<unknown>;
  subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}
