import { basename } from 'node:path';
import type { BlockPlan } from '@shared/blocks';
import { H5BlocksError } from '@shared/errors';
import { DecodeClock, noProgressWords, stallLimitMs } from '../io/stallLimit';
import type { DecodeNotice } from '../hdf5/decodeBudget';

const CHECK_EVERY_MS = 250;

/**
 * The stall limit for blocks decoded in pool workers (shard): a worker stuck in
 * a synchronous decode cannot send a heartbeat, so each block's task says when
 * its worker starts reading (after loading h5wasm, which may be slow on a busy
 * machine), and a block still reading after the stall limit is a decode that
 * does not return. `signal` then aborts with one line naming the file and the
 * block (piscina terminates a worker whose task is aborted).
 */
export class StallWatch {
  private readonly reading = new Map<number, { plan: BlockPlan; since: number; decodes: DecodeClock }>();
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly file: string, private readonly dataset: string, private readonly blockCount: number) {
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** Aborts (with the stall's error as its reason) when a block reads for longer than the stall limit. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Runs one block's task, which calls `startedReading` when its worker begins,
   * then with its filtered read's notices (a budget in proportion to its size);
   * after a stall or a read past its budget it fails with that error.
   */
  async watch<T>(plan: BlockPlan, task: (startedReading: (notice?: DecodeNotice) => void) => Promise<T>): Promise<T> {
    try {
      return await task((notice) => {
        if (!notice) this.reading.set(plan.index, { plan, since: Date.now(), decodes: new DecodeClock() });
        else this.reading.get(plan.index)?.decodes.note(notice);
      });
    } catch (error) {
      throw this.controller.signal.aborted ? this.controller.signal.reason : error;
    } finally {
      this.reading.delete(plan.index);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const limit = stallLimitMs();
    const now = Date.now();
    const overBudget = [...this.reading.values()].map(({ decodes }) => decodes.overBudget(now)).find((error) => error !== undefined);
    if (overBudget && !this.controller.signal.aborted) {
      this.stop();
      this.controller.abort(overBudget);
      return;
    }
    const stuck = [...this.reading.values()].filter(({ since }) => now - since > limit).map(({ plan }) => plan).sort((a, b) => a.index - b.index);
    if (stuck.length === 0 || this.controller.signal.aborted) return;
    const [first] = stuck;
    this.stop();
    this.controller.abort(new H5BlocksError('hdf5',
      `${basename(this.file)}: ${this.dataset}: block ${first.index + 1} of ${this.blockCount} (rows ${first.rowStart}..${first.rowEnd})` +
      `${stuck.length > 1 ? ` and ${stuck.length - 1} more` : ''}: ${noProgressWords()}`,
      { file: this.file, object: this.dataset }));
  }
}
