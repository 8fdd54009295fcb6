import type { Worker } from 'node:worker_threads';

/**
 * An I/O thread the CLI's launcher (bin/h5blocks.js) started before loading
 * the CLI itself, so that the thread's own start-up (its modules, h5wasm)
 * overlaps the main thread's. The launcher keeps what the thread said and
 * whether it failed until an IoThread adopts it.
 */
export interface EarlyThread {
  worker: Worker;
  messages: unknown[];
  failed: boolean;
  /** Takes the launcher's listeners off (only those: Worker keeps its own listeners on itself). */
  detach(): void;
}

const KEY = Symbol.for('h5blocks.earlyIoThread');

/** The launcher's thread, once; undefined when there is none or it already failed. */
export function takeEarlyThread(): EarlyThread | undefined {
  const holder = globalThis as { [KEY]?: EarlyThread };
  const early = holder[KEY];
  delete holder[KEY];
  if (!early) return undefined;
  early.detach();
  if (early.failed) {
    void early.worker.terminate();
    return undefined;
  }
  return early;
}
