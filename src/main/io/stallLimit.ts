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
