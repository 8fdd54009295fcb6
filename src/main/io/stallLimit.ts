import { H5BlocksError } from '@shared/errors';
import type { DecodeNotice } from '../hdf5/decodeBudget';

/**
 * How long HDF5 work may go without a sign of progress before it is abandoned
 * as a decode that never returns: an I/O thread whose heartbeat stops (it is
 * inside a synchronous HDF5 call), or a run's shard workers of which none
 * finishes a block. Reading a block of the largest size h5blocks allows takes a
 * few seconds, so a minute is generous.
 */
export const DEFAULT_STALL_LIMIT_MS = 60_000;

export function stallLimitMs(): number {
  const fromEnvironment = Number(process.env.H5BLOCKS_STALL_LIMIT_MS);
  return Number.isFinite(fromEnvironment) && fromEnvironment > 0 ? fromEnvironment : DEFAULT_STALL_LIMIT_MS;
}

/** "HDF5 made no progress for 60 s …": the words for a stalled decode, after the file and object they concern. */
export function noProgressWords(): string {
  const seconds = Math.round(stallLimitMs() / 1000);
  return `HDF5 made no progress for ${seconds} s (a decode that does not return: the file is probably damaged); h5blocks stopped it, the file is unchanged`;
}

/** Time a filtered read always gets, whatever its size (H5BLOCKS_DECODE_BUDGET_MS changes it; 0 turns the budget off, leaving the stall limit). */
export const DEFAULT_DECODE_BASE_MS = 500;
/** Slowest decode rate counted on (bzip2 in wasm on a busy machine), in bytes of values per ms: 4 MB/s. */
const DECODE_BYTES_PER_MS = 4_000;

/**
 * How long one filtered read of `bytes` of values may take before it is taken
 * for a decoder that loops on a damaged chunk: in proportion to its size, so a
 * damaged 10 KB chunk fails within about half a second, while a large block
 * still has the stall limit as its last guard. Undefined: no budget.
 */
export function decodeBudgetMs(bytes: number): number | undefined {
  const fromEnvironment = process.env.H5BLOCKS_DECODE_BUDGET_MS;
  const base = fromEnvironment !== undefined && fromEnvironment !== '' && Number.isFinite(Number(fromEnvironment)) ? Number(fromEnvironment) : DEFAULT_DECODE_BASE_MS;
  if (base <= 0) return undefined;
  return base + bytes / DECODE_BYTES_PER_MS;
}

/** The end of the line for a filtered read that ran past its budget, after `words` (file, object, rows, filter). */
export function overBudgetWords(budgetMs: number, bytes: number): string {
  const size = bytes < 2 ** 20 ? `${Math.max(1, Math.round(bytes / 1024))} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return ` within ${(budgetMs / 1000).toFixed(1)} s, far longer than ${size} of values takes (a damaged chunk that makes its decoder loop); h5blocks stopped it, the file is unchanged`;
}

/** Follows one thread's filtered reads (DecodeNotice) and says when the one under way has run past its budget. */
export class DecodeClock {
  private current: { since: number; budgetMs: number; words: string; bytes: number; file: string; object: string; pausedAt?: number } | undefined;

  note(notice: DecodeNotice): void {
    const current = this.current;
    if (notice.type === 'decoded') {
      this.current = undefined;
    } else if (notice.type === 'plugin-loading') {
      // Loading a filter plugin compiles its wasm: not the decode's time (the stall limit still watches it).
      if (current && current.pausedAt === undefined) current.pausedAt = Date.now();
    } else if (notice.type === 'plugin-loaded') {
      if (current?.pausedAt !== undefined) {
        current.since += Date.now() - current.pausedAt;
        current.pausedAt = undefined;
      }
    } else {
      const budgetMs = decodeBudgetMs(notice.bytes);
      this.current = budgetMs === undefined ? undefined : { since: Date.now(), budgetMs, words: notice.words, bytes: notice.bytes, file: notice.file, object: notice.object };
    }
  }

  clear(): void {
    this.current = undefined;
  }

  /** The error for a read past its budget, or undefined while none is. */
  overBudget(now = Date.now()): H5BlocksError | undefined {
    const current = this.current;
    if (!current || current.pausedAt !== undefined || now - current.since <= current.budgetMs) return undefined;
    return new H5BlocksError('hdf5', `${current.words}${overBudgetWords(current.budgetMs, current.bytes)}`, { file: current.file, object: current.object });
  }
}
