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
  /** Buffers this pool had to allocate (the rest of the blocks reused them). */
  allocated = 0;
  allocatedBytes = 0;

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
      const ready = this.reuse(bytes) ?? (this.allocated < this.limit ? this.allocate(bytes) : undefined);
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

  private allocate(bytes: number): ArrayBuffer {
    const size = Math.max(bytes, this.capacity);
    this.allocated++;
    this.allocatedBytes += size;
    return new ArrayBuffer(size);
  }
}
