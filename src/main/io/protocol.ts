import type { ValueOptions } from '@shared/api';
import type { ChildSummary, Entity, ValueSlice } from '@shared/entities';
import type { Overview, OverviewRequest } from '@shared/overview';
import type { ExpressionPreview } from '@shared/expression';
import type { ErrorInfo } from '@shared/errors';
import type { RunActivityReport, RunProgress, RunRequest, RunResult } from '@shared/run';
import type { MaterializeResult, VirtualOutput } from '@shared/virtual';
import type { ConfinementRules } from '../hdf5/confinement';
import type { DecodeNotice } from '../hdf5/decodeBudget';
import type { StatsRequest, StatsResult } from '@shared/stats';

// What the main thread asks of an I/O thread, and what comes back: plain,
// structured-cloneable data over the worker's message port.

export type IoRequest =
  | { kind: 'check'; file: string }
  | { kind: 'tree'; file: string }
  | { kind: 'entity'; file: string; path: string }
  | { kind: 'value'; file: string; path: string; ranges: [number, number][]; options?: ValueOptions }
  /** The same slice as JSON text in UTF-8, made in the thread and handed over without a copy (serve sends it on as it is). */
  | { kind: 'valueJson'; file: string; path: string; ranges: [number, number][]; options?: ValueOptions }
  | { kind: 'overview'; file: string; path: string; request: OverviewRequest }
  /** An expression checked against a dataset and evaluated on its first rows (the Run tab's live validation and preview). */
  | { kind: 'expression-preview'; file: string; path: string; expression: string }
  /** The children of several groups at once (the search index lists a file in batches). */
  | { kind: 'children'; file: string; paths: string[] }
  /** `requestedAt`: epoch ms the user asked (the run's clock starts there; see RunHooks). */
  /**
   * `confine`: the run's confinement (serve), and `env`: the process's environment now (stall limit, Python,
   * TMPDIR…), for a thread started before the run was known (a prepared spare), whose environment is older.
   */
  | { kind: 'run'; request: RunRequest; runId: string; requestedAt?: number; confine?: ConfinementRules; env?: Record<string, string> }
  /** Whole-dataset statistics, written as a group through a transaction like a run's. */
  | { kind: 'stats'; request: StatsRequest; runId: string }
  /** Replaces a virtual dataset by a regular one, in a transaction like a run's. */
  | { kind: 'materialize'; file: string; dataset: string; runId: string }
  | { kind: 'forget'; file: string }
  /** Every virtual dataset of the file and its source files. */
  | { kind: 'virtual-outputs'; file: string }
  /** What the thread holds now: its wasm memory and the files Emscripten has open (HDF5 keeps a file open while any id in it is). */
  | { kind: 'resources'; file: string };

export interface TreeNode extends Record<string, unknown> {
  children?: TreeNode[];
}

export interface IoResults {
  check: null;
  tree: TreeNode;
  entity: Entity;
  value: ValueSlice;
  valueJson: Uint8Array;
  overview: Overview;
  'expression-preview': ExpressionPreview;
  children: ChildSummary[][];
  run: RunResult;
  stats: StatsResult;
  materialize: MaterializeResult;
  forget: null;
  'virtual-outputs': VirtualOutput[];
  resources: ThreadResources;
}

export interface ThreadResources {
  wasmBytes: number;
  openDescriptors: number;
}

export type ToThread =
  | { type: 'call'; id: number; request: IoRequest }
  | { type: 'cancel'; id: number }
  /** From the CLI's launcher only: the wasm it compiled (null: it could not). */
  | { type: 'h5wasm-module'; module: WebAssembly.Module | null };

/** `heapBytes`: the thread's wasm memory (it never shrinks) and JS heap after the request. */
export type FromThread =
  | { type: 'reply'; id: number; ok: true; result: unknown; heapBytes: number }
  /** `dead`: h5wasm aborted in this thread; it must not be used again. */
  | { type: 'reply'; id: number; ok: false; error: ErrorInfo; dead: boolean; heapBytes: number }
  | { type: 'progress'; id: number; progress: RunProgress }
  | { type: 'activity'; id: number; activity: RunActivityReport }
  /** Sent while the thread's event loop turns: silence means it is stuck inside HDF5. */
  | { type: 'alive' }
  /** Something the thread did that the user should hear of (a recovery after a crash), in one line. */
  | { type: 'notice'; text: string }
  /** h5wasm's wasm, compiled by this thread: the main thread hands it to the threads it starts later. */
  | { type: 'h5wasm'; module: WebAssembly.Module }
  /** Around a filtered read: its size, so that a decoder looping on a damaged chunk is stopped within a budget (io/stallLimit.ts). */
  | { type: 'decode'; notice: DecodeNotice };

export const HEARTBEAT_MS = 250;

/** Set in an I/O thread's environment when its reads should settle (IoThreadOptions.settleReads, HandleCache). */
export const SETTLE_READS_VARIABLE = 'H5BLOCKS_SETTLE_READS';
