import { addNonFinite, type BlockTiming, type NonFiniteCounts, type PhaseSpan } from '@shared/run';
import type { BlockPlan } from '@shared/blocks';
import { epochNow } from './clock';
import type { OutputHash } from './outputHash';

export interface FinishedBlock {
  plan: BlockPlan;
  bytesIn: number;
  phases: PhaseSpan[];
  /** An expression's NaN and ±Inf in this block, as its worker counted them. */
  nonFinite?: NonFiniteCounts;
  /** Produces the block's values on the main thread (a shard is read here); called in block order. */
  values(): Float32Array | Float64Array;
  /** Runs after the values are written (a shard file is deleted here). */
  after?(): void;
  /** Takes the values' buffer back once it is written and hashed, for a later block (see bufferPool.ts). */
  giveBack?(buffer: ArrayBuffer): void;
}

/**
 * Takes blocks as workers finish them, in any order, and writes them in block
 * order: the output grows front to back and its SHA-256 is computed on the way,
 * so runs can be compared bit for bit without reading the output again. Blocks
 * waiting for an earlier one are held in memory; the strategies bound how many.
 */
export class OrderedWriter {
  private readonly waiting = new Map<number, FinishedBlock>();
  private nextIndex = 0;
  private counted: NonFiniteCounts | undefined;

  constructor(
    private readonly runStart: number,
    /** The main thread's span per block; none when the main thread writes nothing (vds). */
    private readonly writePhase: 'write' | 'merge' | null,
    private readonly write: (rowStart: number, values: Float32Array | Float64Array) => void,
    private readonly onWritten: (timing: BlockTiming) => void,
    private readonly hash: OutputHash,
    /** A live run's flush after each block (the rows become visible to SWMR readers), timed as its own 'flush' phase. */
    private readonly flushEach?: () => void,
  ) {}

  get written(): number {
    return this.nextIndex;
  }

  accept(block: FinishedBlock): void {
    this.waiting.set(block.plan.index, block);
    for (let next = this.waiting.get(this.nextIndex); next; next = this.waiting.get(this.nextIndex)) {
      this.waiting.delete(this.nextIndex);
      this.nextIndex++;
      this.flush(next);
    }
  }

  /** The blocks' NaN and ±Inf counts summed in block order; undefined when no block reported any (a built-in kernel). */
  get nonFinite(): NonFiniteCounts | undefined {
    return this.counted;
  }

  digest(): Promise<string> {
    return this.hash.digest();
  }

  /** A run that ends before its digest: the hash's state is let go. */
  dispose(): void {
    this.hash.dispose();
  }

  private flush(block: FinishedBlock): void {
    const start = epochNow();
    const values = block.values();
    if (block.nonFinite) this.counted = addNonFinite(this.counted ?? { nan: 0, posInf: 0, negInf: 0 }, block.nonFinite);
    const bytesOut = values.byteLength;
    this.write(block.plan.rowStart, values);
    // The values are the hash's from here on (they may move to its thread).
    this.hash.update(values, block.giveBack);
    block.after?.();
    const end = epochNow();
    const phases: PhaseSpan[] = this.writePhase === null
      ? [...block.phases]
      : [...block.phases, { phase: this.writePhase, lane: 'main' as const, start: start - this.runStart, end: end - this.runStart }];
    if (this.flushEach) {
      this.flushEach();
      phases.push({ phase: 'flush', lane: 'main', start: end - this.runStart, end: epochNow() - this.runStart });
    }
    this.onWritten({
      index: block.plan.index,
      rowStart: block.plan.rowStart,
      rowEnd: block.plan.rowEnd,
      bytesIn: block.bytesIn,
      bytesOut,
      phases,
    });
  }
}

/** A counting semaphore that also gives up when the run is aborted. */
export class Window {
  private free: number;
  private readonly queue: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(size: number, private readonly signal: AbortSignal) {
    this.free = size;
    signal.addEventListener('abort', () => {
      for (const waiter of this.queue.splice(0)) waiter.reject(signal.reason);
    }, { once: true });
  }

  acquire(): Promise<void> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.queue.push({ resolve, reject }));
  }

  release(): void {
    const waiter = this.queue.shift();
    if (waiter) waiter.resolve();
    else this.free++;
  }
}
