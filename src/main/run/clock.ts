import { performance } from 'node:perf_hooks';

/**
 * Milliseconds since the Unix epoch with sub-millisecond resolution. Every
 * thread computes it from its own timeOrigin, so stamps taken in workers and
 * in the main thread fall on one clock and can be subtracted from the run start.
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
