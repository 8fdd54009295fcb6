import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { workerFile } from '../strategies/workerPools';
import type { HashReply, HashRequest } from './hashProtocol';

/** The SHA-256 of a run's output, fed block by block in output order. */
export interface OutputHash {
  /**
   * Takes the block's bytes; `values` must not be used afterwards (its buffer
   * may move to another thread). `giveBack` gets the buffer once it is hashed
   * (on this thread, later), for the run to reuse.
   */
  update(values: Float32Array | Float64Array, giveBack?: (buffer: ArrayBuffer) => void): void;
  digest(): Promise<string>;
  /** Forgets a run that will not finish. */
  dispose(): void;
}

/**
 * Below this an output is hashed where it is written: a thread that is not
 * running yet would cost a small run more time than hashing it does.
 */
const OFF_THREAD_MIN_BYTES = 8 * 1024 * 1024;
/** Bytes handed over but not hashed yet, beyond which the writer waits: memory stays bounded if hashing falls behind. */
const BACKLOG_LIMIT_BYTES = 64 * 1024 * 1024;

export function outputHash(expectedBytes: number): OutputHash {
  if (expectedBytes >= OFF_THREAD_MIN_BYTES) {
    const thread = hashThread();
    if (thread) return new OffThreadHash(thread);
  }
  return new InlineHash();
}

class InlineHash implements OutputHash {
  private readonly hash = createHash('sha256');
  update(values: Float32Array | Float64Array, giveBack?: (buffer: ArrayBuffer) => void): void {
    this.hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    if (giveBack && values.buffer instanceof ArrayBuffer) giveBack(values.buffer);
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
  dispose(): void {}
}

let sessions = 0;

class OffThreadHash implements OutputHash {
  // Unique within the thread that owns the hashing thread, the only one that talks to it.
  private readonly session = String(++sessions);
  private open = true;

  constructor(private readonly thread: HashThread) {
    thread.join();
  }

  update(values: Float32Array | Float64Array, giveBack?: (buffer: ArrayBuffer) => void): void {
    const { thread } = this;
    thread.waitForBacklog();
    Atomics.add(thread.backlog, 0, values.byteLength);
    const request = { op: 'update' as const, session: this.session, byteOffset: 0, byteLength: values.byteLength };
    const buffer = values.buffer;
    // A movable buffer moves (and comes back when the run reuses it); anything
    // else (part of a larger buffer nobody reuses, shared or wasm memory) is copied.
    const reused = giveBack !== undefined && values.byteOffset === 0;
    if (buffer instanceof ArrayBuffer && (reused || (values.byteOffset === 0 && values.byteLength === buffer.byteLength))) {
      try {
        const returned = reused ? thread.expectBack(giveBack, buffer.byteLength) : undefined;
        thread.worker.postMessage({ ...request, buffer, ...(returned !== undefined ? { giveBack: returned } : {}) } satisfies HashRequest, [buffer]);
        return;
      } catch {
        // Not detachable (wasm memory): copied below.
      }
    }
    const copy = new Uint8Array(buffer, values.byteOffset, values.byteLength).slice().buffer;
    thread.worker.postMessage({ ...request, buffer: copy } satisfies HashRequest, [copy]);
  }

  digest(): Promise<string> {
    this.open = false;
    const done = this.thread.digest(this.session);
    done.finally(() => this.thread.leave()).catch(() => undefined);
    return done;
  }

  dispose(): void {
    if (!this.open) return;
    this.open = false;
    this.thread.post({ op: 'drop', session: this.session });
    this.thread.leave();
  }
}

/** One hashing thread per process, started on first use and shared by concurrent runs. */
class HashThread {
  readonly backlog = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<string, { resolve: (digest: string) => void; reject: (error: Error) => void }>();
  private readonly givingBack = new Map<number, { giveBack: (buffer: ArrayBuffer) => void; bytes: number }>();
  private nextGiveBack = 0;
  private users = 0;
  failure: Error | undefined;

  constructor(readonly worker: Worker) {
    worker.unref();
    worker.on('message', (reply: HashReply) => {
      if ('returned' in reply) {
        const waiting = this.givingBack.get(reply.returned);
        this.givingBack.delete(reply.returned);
        waiting?.giveBack(reply.buffer);
        return;
      }
      this.pending.get(reply.session)?.resolve(reply.digest);
      this.pending.delete(reply.session);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      if (current === this) current = undefined;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the output's checksum was lost: ${this.failure.message}`));
      this.pending.clear();
      // Buffers the thread took will not come back: runs waiting for them get new ones (their digest fails anyway).
      for (const waiting of this.givingBack.values()) waiting.giveBack(new ArrayBuffer(waiting.bytes));
      this.givingBack.clear();
      Atomics.store(this.backlog, 0, 0);
      Atomics.notify(this.backlog, 0);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the hashing thread stopped (exit code ${code})`)));
    this.post({ op: 'backlog', counter: this.backlog.buffer as SharedArrayBuffer });
  }

  /** An id for a buffer the hashing thread will send back, and who gets it. */
  expectBack(giveBack: (buffer: ArrayBuffer) => void, bytes: number): number {
    const id = ++this.nextGiveBack;
    this.givingBack.set(id, { giveBack, bytes });
    return id;
  }

  post(request: HashRequest): void {
    this.worker.postMessage(request);
  }

  /** A run's thread must not let the process exit while it has work queued there. */
  join(): void {
    if (this.users++ === 0) this.worker.ref();
  }

  leave(): void {
    if (--this.users === 0) this.worker.unref();
  }

  waitForBacklog(): void {
    for (let queued = Atomics.load(this.backlog, 0); queued > BACKLOG_LIMIT_BYTES && !this.failure; queued = Atomics.load(this.backlog, 0)) {
      Atomics.wait(this.backlog, 0, queued, 1000);
    }
  }

  digest(session: string): Promise<string> {
    if (this.failure) return Promise.reject(new Error(`the output's checksum was lost: ${this.failure.message}`));
    return new Promise((resolve, reject) => {
      this.pending.set(session, { resolve, reject });
      this.post({ op: 'digest', session });
    });
  }
}

let current: HashThread | undefined;

function hashThread(): HashThread | undefined {
  if (current) return current;
  try {
    current = new HashThread(new Worker(workerFile('hashWorker')));
  } catch {
    return undefined;
  }
  return current;
}
