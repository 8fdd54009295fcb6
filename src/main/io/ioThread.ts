import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { H5BlocksError, toErrorInfo } from '@shared/errors';
import type { RunActivityReport, RunProgress } from '@shared/run';
import { CONFINE_VARIABLE, type ConfinementRules } from '../hdf5/confinement';
import { shareCompiledH5Module, withCompiledH5Module } from '../hdf5/h5wasm';
import { workerFile } from '../strategies/workerPools';
import { takeEarlyThread } from './earlyThread';
import { SETTLE_READS_VARIABLE, type FromThread, type IoRequest, type IoResults, type ToThread } from './protocol';
import { DecodeClock, noProgressWords, stallLimitMs } from './stallLimit';

/** After Cancel (or SIGINT/SIGTERM) a run has this long to stop by itself before its thread is terminated. */
export const CANCEL_GRACE_MS = 750;

export interface IoThreadOptions {
  /** Applied to HDF5 in the thread and in every worker it starts (serve). */
  confine?: ConfinementRules;
  /** Terminate the thread after this long without requests, giving its wasm heap back (it restarts on demand). */
  idleExitMs?: number;
  /**
   * A thread whose memory (wasm memory, which never shrinks, and JS heap) has
   * grown past `heapBytes` ends sooner: after `idleExitMs` without requests instead.
   */
  bigHeap?: { heapBytes: number; idleExitMs: number };
  /** Reads that fail while another program changes the file are retried (see HandleCache). */
  settleReads?: boolean;
  /** Told what the thread did that the user should hear of (a recovery after a crash). */
  onNotice?: (text: string) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  onActivity?: (activity: RunActivityReport) => void;
  /** Called when the thread is terminated with this request still in it (it could not clean up after itself). */
  onAbandoned?: () => void;
}

interface Pending {
  request: IoRequest;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  onProgress?: (progress: RunProgress) => void;
  onActivity?: (activity: RunActivityReport) => void;
  onAbandoned?: () => void;
}

/**
 * The main thread's side of an I/O thread (ioThreadMain.ts): it routes
 * requests there and never runs HDF5 itself, so its event loop stays free.
 * When the thread stalls, is cancelled out of a stuck call, or aborts inside
 * Emscripten, it is terminated; the next request starts a fresh one.
 */
export class IoThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lastSign = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;
  private heap = 0;
  private readonly decodes = new DecodeClock();

  constructor(private readonly options: IoThreadOptions = {}) {}

  call<K extends IoRequest['kind']>(request: Extract<IoRequest, { kind: K }>, options: CallOptions = {}): Promise<IoResults[K]> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const worker = this.start();
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    const settled = new Promise<IoResults[K]>((resolve, reject) => {
      this.pending.set(id, { request, resolve: resolve as (value: unknown) => void, reject, onProgress: options.onProgress, onActivity: options.onActivity, onAbandoned: options.onAbandoned });
    });
    if (this.pending.size === 1) {
      this.lastSign = Date.now();
      worker.ref();
    }
    worker.postMessage({ type: 'call', id, request } satisfies ToThread);
    const signal = options.signal;
    if (signal) {
      const onAbort = () => this.cancel(id, signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void settled.then(() => signal.removeEventListener('abort', onAbort), () => signal.removeEventListener('abort', onAbort));
    }
    return settled;
  }

  /** Starts the thread now (it loads h5wasm as it starts), so that its first request finds it ready. */
  prepare(): void {
    this.start();
  }

  /** Whether requests are in flight. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Whether the thread is up (it starts with a request and ends when idle, stuck or stopped). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** The thread's memory (wasm and JS heap) after its last request; 0 when it is not running. */
  get heapBytes(): number {
    return this.worker ? this.heap : 0;
  }

  /** Stops the thread; requests in flight fail with `reason`. */
  async terminate(reason: unknown = new H5BlocksError('aborted', 'the HDF5 thread was stopped')): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.decodes.clear();
    clearInterval(this.watchdog);
    clearTimeout(this.idleTimer);
    const failing = [...this.pending.values()];
    this.pending.clear();
    this.ending = worker.terminate().then(() => undefined, () => undefined);
    await this.ending;
    for (const call of failing) {
      try {
        call.onAbandoned?.();
      } finally {
        call.reject(reason instanceof Function ? reason(call.request) : reason);
      }
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (this.options.confine) env[CONFINE_VARIABLE] = JSON.stringify(this.options.confine);
    if (this.options.settleReads) env[SETTLE_READS_VARIABLE] = '1';
    // The launcher's thread was started with this process's environment: it fits a plain IoThread only.
    const early = this.options.confine || this.options.settleReads ? undefined : takeEarlyThread();
    const worker = early?.worker ?? new Worker(workerFile('ioThread'), { env, workerData: withCompiledH5Module({}) });
    this.heap = 0;
    worker.unref();
    worker.on('message', (message: FromThread) => this.receive(worker, message));
    worker.on('error', (error) => {
      if (this.worker === worker) void this.terminate(failedThread(error));
    });
    worker.on('exit', () => {
      if (this.worker === worker) void this.terminate(failedThread(new Error('the HDF5 thread exited')));
    });
    this.worker = worker;
    for (const message of early?.messages ?? []) this.receive(worker, message as FromThread);
    this.watchdog = setInterval(() => this.checkStall(), 250);
    this.watchdog.unref();
    return worker;
  }

  private receive(worker: Worker, message: FromThread): void {
    if (worker !== this.worker) return;
    this.lastSign = Date.now();
    if (message.type === 'alive') return;
    if (message.type === 'notice') {
      this.options.onNotice?.(message.text);
      return;
    }
    if (message.type === 'decode') {
      this.decodes.note(message.notice);
      return;
    }
    if (message.type === 'h5wasm') {
      shareCompiledH5Module(message.module);
      return;
    }
    const call = this.pending.get(message.id);
    if (!call) return;
    if (message.type === 'progress') {
      call.onProgress?.(message.progress);
      return;
    }
    if (message.type === 'activity') {
      call.onActivity?.(message.activity);
      return;
    }
    this.pending.delete(message.id);
    this.heap = message.heapBytes;
    if (message.ok) call.resolve(message.result);
    else call.reject(new H5BlocksError(message.error.code, message.error.message, message.error));
    if (!message.ok && message.dead) void this.terminate(failedThread(new Error('h5wasm aborted')));
    else this.settleIdle(worker);
  }

  private settleIdle(worker: Worker): void {
    if (this.pending.size > 0) return;
    worker.unref();
    const { bigHeap } = this.options;
    const idleExitMs = bigHeap && this.heap > bigHeap.heapBytes ? bigHeap.idleExitMs : this.options.idleExitMs;
    if (idleExitMs !== undefined) {
      this.idleTimer = setTimeout(() => {
        if (this.pending.size === 0) void this.terminate();
      }, idleExitMs);
      this.idleTimer.unref();
    }
  }

  private cancel(id: number, reason: unknown): void {
    const call = this.pending.get(id);
    if (!call || !this.worker) return;
    if (call.request.kind !== 'run' && call.request.kind !== 'stats') {
      // A read is one synchronous HDF5 call: it cannot stop halfway, only be abandoned.
      void this.terminate((request: IoRequest) => (request === call.request ? reason : interrupted(request)));
      return;
    }
    this.worker.postMessage({ type: 'cancel', id } satisfies ToThread);
    const grace = setTimeout(() => {
      if (this.pending.get(id) === call) {
        void this.terminate((request: IoRequest) => (request === call.request ? reason : interrupted(request)));
      }
    }, CANCEL_GRACE_MS);
    grace.unref();
  }

  private checkStall(): void {
    const overBudget = this.pending.size > 0 ? this.decodes.overBudget() : undefined;
    if (overBudget) {
      this.decodes.clear();
      void this.terminate((request: IoRequest) => (basename(fileOf(request).file) === basename(overBudget.file ?? '') ? overBudget : interrupted(request)));
      return;
    }
    if (this.pending.size === 0 || Date.now() - this.lastSign <= stallLimitMs()) return;
    void this.terminate((request: IoRequest) => stalled(request));
  }
}

function fileOf(request: IoRequest): { file: string; object?: string } {
  if (request.kind === 'run' || request.kind === 'stats') return { file: request.request.file, object: request.request.dataset };
  return { file: request.file, object: 'path' in request ? request.path : undefined };
}

function stalled(request: IoRequest): H5BlocksError {
  const { file, object } = fileOf(request);
  return new H5BlocksError('hdf5', `${basename(file)}${object ? `: ${object}` : ''}: ${noProgressWords()}`, { file, object });
}

function interrupted(request: IoRequest): H5BlocksError {
  const { file, object } = fileOf(request);
  return new H5BlocksError('aborted', `${basename(file)}${object ? `: ${object}` : ''}: interrupted (another request on this file was stopped); try again`, { file, object });
}

function failedThread(error: unknown): (request: IoRequest) => H5BlocksError {
  return (request) => {
    const { file, object } = fileOf(request);
    return new H5BlocksError('hdf5', `${basename(file)}${object ? `: ${object}` : ''}: HDF5 stopped while working on it (${toErrorInfo(error).message}); the file is unchanged`, { file, object });
  };
}
