// The I/O thread: it owns h5wasm and every HDF5 handle, so a decode that never
// returns or an Emscripten abort stops this thread, never the main one (which
// terminates it and starts another). Requests arrive with ids; replies, run
// progress and a heartbeat go back.
import { setMaxListeners } from 'node:events';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { H5BlocksError } from '@shared/errors';
import { MAX_WORKERS, type RunActivityReport, type RunProgress } from '@shared/run';
import { readOverview } from '../app/overview';
import { readValueSlice } from '../app/values';
import { previewExpression } from '../app/expressionPreview';
import { publicError } from '../app/publicError';
import { CONFINE_VARIABLE, confineTo, takeRefusals } from '../hdf5/confinement';
import { getEntity, listChildren } from '../hdf5/entities';
import { compiledH5Module, H5WASM_MODULE_MESSAGE, loadH5 } from '../hdf5/h5wasm';
import { isBeingWrittenWithSwmr } from '../hdf5/files';
import { readTree } from '../hdf5/tree';
import { listVirtualDatasets } from '../hdf5/virtual/sources';
import { runComputation } from '../run/engine';
import { materialize } from '../run/materialize';
import { runStatistics } from '../run/statistics';
import { HandleCache } from './handleCache';
import { reportDecodesTo } from '../hdf5/decodeBudget';
import { onRecovery } from '../transaction/recovery';
import { HEARTBEAT_MS, SETTLE_READS_VARIABLE, type FromThread, type IoRequest, type ThreadResources, type ToThread } from './protocol';
import { refusedError } from './refused';

const port = parentPort;
if (!port) throw new Error('ioThreadMain runs only as a worker thread');
const send = (message: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const handles = new HandleCache({ settleReads: process.env[SETTLE_READS_VARIABLE] === '1' });
const cancels = new Map<number, AbortController>();

setInterval(() => send({ type: 'alive' }), HEARTBEAT_MS);
// Every request needs h5wasm: loading starts with the thread, while the main
// thread is still preparing its first request. The compiled wasm (this
// thread's, or the launcher's) goes to the main thread's IoThread for the
// threads it starts later (it keeps the first it gets).
void loadH5().then(() => {
  const module = compiledH5Module();
  if (module) send({ type: 'h5wasm', module });
}, () => undefined);
// A run's pool puts up to two blocks per worker in flight, each listening to the
// run's abort signals: with 64 workers that passes Node's default of 10 listeners.
setMaxListeners(4 * MAX_WORKERS + 16);
onRecovery((text) => send({ type: 'notice', text }));
reportDecodesTo((notice) => send({ type: 'decode', notice }));

port.on('message', (message: ToThread) => {
  // The launcher's compiled wasm is h5wasm.ts's to take.
  if (message.type === H5WASM_MODULE_MESSAGE) return;
  if (message.type === 'cancel') {
    cancels.get(message.id)?.abort(new H5BlocksError('aborted', 'run cancelled; the file is unchanged'));
    return;
  }
  void answer(message.id, message.request);
});

async function answer(id: number, request: IoRequest): Promise<void> {
  takeRefusals();
  try {
    const result = await perform(id, request);
    const refused = takeRefusals();
    // A refused open reads nothing: describing a group whose external link leads
    // outside is fine. Values are another matter: a virtual dataset whose source
    // was refused reads as fill values, which are not the data.
    if (refused.length > 0 && (request.kind === 'value' || request.kind === 'overview' || request.kind === 'expression-preview' || request.kind === 'run' || request.kind === 'stats' || request.kind === 'materialize')) throw refusedError(request, refused);
    const transfer = result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : [];
    send({ type: 'reply', id, ok: true, result: result ?? null, heapBytes: await heapBytes() }, transfer);
  } catch (error) {
    const refused = takeRefusals();
    const failure = refused.length > 0 ? refusedError(request, refused) : error;
    const info = publicError(failure);
    // After abort() the Emscripten runtime refuses every later call: this thread is done.
    const dead = /Aborted\(/.test(`${info.detail ?? ''}\n${error instanceof Error ? error.message : String(error)}`);
    send({ type: 'reply', id, ok: false, error: info, dead, heapBytes: dead ? 0 : await heapBytes() });
  }
}

async function perform(id: number, request: IoRequest): Promise<unknown> {
  switch (request.kind) {
    case 'check':
      return handles.use(request.file, () => null);
    case 'tree':
      return handles.use(request.file, async (file) => ({ ...await readTree(file), ...(isBeingWrittenWithSwmr(request.file) ? { beingWritten: true } : {}) }));
    case 'entity':
      return handles.use(request.file, (file) => getEntity(file, request.path));
    case 'value':
      return handles.use(request.file, (file) => readValueSlice(file, request.path, request.ranges, request.options));
    case 'valueJson':
      return handles.use(request.file, async (file) => new TextEncoder().encode(JSON.stringify(await readValueSlice(file, request.path, request.ranges, request.options))));
    case 'overview':
      return handles.use(request.file, (file) => readOverview(file, request.path, request.request));
    case 'expression-preview':
      return handles.use(request.file, (file) => previewExpression(file, request.path, request.expression));
    case 'children': {
      const { module } = await loadH5();
      return handles.use(request.file, (file) => request.paths.map((path) => listChildren(file, module, path)));
    }
    case 'materialize':
      // Like a run, it writes the file through a transaction: no handle of this thread may stay on the old bytes.
      handles.forget(request.file);
      try {
        return await materialize(request.file, request.dataset, request.runId);
      } finally {
        handles.forget(request.file);
      }
    case 'virtual-outputs':
      return handles.use(request.file, (file) => listVirtualDatasets(file, request.file));
    case 'forget':
      handles.forget(request.file);
      return null;
    case 'resources':
      return threadResources();
    case 'run':
    case 'stats': {
      const controller = new AbortController();
      cancels.set(id, controller);
      try {
        const run = request.kind === 'run' ? request : undefined;
        if (run?.env) adoptEnvironment(run.env);
        if (run?.confine) {
          // After h5wasm's load, which applies the thread's own (none, for a prepared spare) rules.
          await loadH5();
          confineTo(run.confine);
          // Shard workers this thread starts inherit its environment, and with it these rules.
          process.env[CONFINE_VARIABLE] = JSON.stringify(run.confine);
        }
        // The run renames a new file over this one: a handle kept open would show the old one.
        handles.forget(request.request.file);
        const hooks = {
          signal: controller.signal,
          onProgress: (progress: RunProgress) => send({ type: 'progress', id, progress }),
          onActivity: (activity: RunActivityReport) => send({ type: 'activity', id, activity }),
          requestedAt: request.kind === 'run' ? request.requestedAt : undefined,
        };
        return request.kind === 'run'
          ? await runComputation(request.request, hooks, request.runId)
          : await runStatistics(request.request, hooks, request.runId);
      } finally {
        cancels.delete(id);
        handles.forget(request.request.file);
      }
    }
  }
}

async function threadResources(): Promise<ThreadResources> {
  const { module } = await loadH5();
  const withFs = module as unknown as { HEAPU8: Uint8Array; FS: { streams: unknown[] } };
  // Streams 0-2 are Emscripten's standard input and output; the rest are files HDF5 opened.
  const files = withFs.FS.streams.filter((stream) => stream && !String((stream as { path?: string }).path ?? '').startsWith('/dev/'));
  return { wasmBytes: withFs.HEAPU8.length, openDescriptors: files.length };
}

/**
 * Makes this thread's environment the one given (the main thread's at the
 * request), as if the thread had started then; rules the thread was started
 * with stay.
 */
function adoptEnvironment(env: Record<string, string>): void {
  const ownRules = process.env[CONFINE_VARIABLE];
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  if (ownRules !== undefined) process.env[CONFINE_VARIABLE] = ownRules;
}

/**
 * What this thread holds: h5wasm's wasm memory (it never shrinks) and the JS
 * heap V8 has taken (an idle thread allocates nothing, so its garbage of a
 * large read is never collected).
 */
async function heapBytes(): Promise<number> {
  const javascript = getHeapStatistics().total_heap_size;
  try {
    const { module } = await loadH5();
    return javascript + ((module as unknown as { HEAPU8?: Uint8Array }).HEAPU8?.length ?? 0);
  } catch {
    return javascript;
  }
}
