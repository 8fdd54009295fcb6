/**
 * Buffers a finished run left, for the next run on this thread (at most
 * KEEP_BYTES of them): a second run then touches no fresh memory either, and
 * the first run's buffers do not become garbage that V8 collects (a full
 * collection, forced by their external memory, during the next run).
 */
const kept: ArrayBuffer[] = [];
const KEEP_BYTES = 64 * 2 ** 20;

/**
 * A run's block buffers, reused from block to block. Memory a process touches
 * for the first time costs a page fault per 4 KB page (about 12 µs each on a
 * virtual machine: 0.5 s for 160 MB, eight times what reading those bytes from
 * the page cache costs), so a run allocates only as many buffers as it has
 * blocks in flight, and they travel between threads by transfer, never copied.
 * A buffer that was transferred away is empty (detached) until it comes back.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  private readonly waiting: { bytes: number; resolve: (buffer: ArrayBuffer) => void; reject: (error: unknown) => void }[] = [];
  /** Buffers this pool had to allocate (the rest of the blocks reused them, or an earlier run's). */
  allocated = 0;
  allocatedBytes = 0;
  /** Buffers every block has had: a buffer beyond the limit is never made, reused or new. */
  private made = 0;

  /**
   * `capacity`: the size to allocate (the run's largest block), so any block
   * fits any buffer. `limit`: at most this many buffers exist; past it a block
   * waits for one to come back (the hashing thread's, say) rather than allocating.
   */
  constructor(private readonly capacity: number, private readonly limit = Number.POSITIVE_INFINITY) {}

  /** A buffer of at least `bytes` now: a free one, else a new one. */
  take(bytes: number): ArrayBuffer {
    return this.reuse(bytes) ?? this.allocate(bytes);
  }

  /** A buffer of at least `bytes`, waiting (first come, first served) while `limit` buffers are in use. */
  acquire(bytes: number, signal?: AbortSignal): Promise<ArrayBuffer> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiting.length === 0) {
      const ready = this.reuse(bytes) ?? (this.made < this.limit ? this.allocate(bytes) : undefined);
      if (ready) return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const waiter = { bytes, resolve, reject };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Gives a buffer back for the next block. */
  give(buffer: ArrayBuffer | undefined): void {
    // A detached buffer (transferred again meanwhile) has no bytes left to reuse.
    if (!buffer || buffer.byteLength === 0 || this.free.includes(buffer)) return;
    this.free.push(buffer);
    const waiter = this.waiting[0];
    if (!waiter) return;
    const ready = this.reuse(waiter.bytes);
    if (!ready) return;
    this.waiting.shift();
    waiter.resolve(ready);
  }

  private reuse(bytes: number): ArrayBuffer | undefined {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i].byteLength >= bytes) return this.free.splice(i, 1)[0];
    }
    return undefined;
  }

  /**
   * The run is over: its free buffers are kept for the next run on this thread
   * (the smallest kept first, up to KEEP_BYTES in all); the pool takes no more.
   */
  retire(): void {
    const all = [...kept, ...this.free.splice(0)].sort((a, b) => a.byteLength - b.byteLength);
    kept.length = 0;
    let bytes = 0;
    for (const buffer of all) {
      if (bytes + buffer.byteLength > KEEP_BYTES) break;
      kept.push(buffer);
      bytes += buffer.byteLength;
    }
  }

  private allocate(bytes: number): ArrayBuffer {
    const size = Math.max(bytes, this.capacity);
    this.made++;
    // An earlier run's buffer that fits, the smallest such (kept is sorted by size).
    const fit = kept.findIndex((buffer) => buffer.byteLength >= size);
    if (fit >= 0) return kept.splice(fit, 1)[0];
    this.allocated++;
    this.allocatedBytes += size;
    return new ArrayBuffer(size);
  }
}
