import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `Piscina.move` without importing piscina's main module into every worker:
 * that module brings the whole pool (balancers, histograms, queues), 40–120 ms
 * of module loading per worker on a busy 2-core machine, for one function. The
 * mark piscina's worker loop checks lives in its `common` module, which that
 * loop has already loaded in this thread; it is reached by its file (the
 * package's `exports` list only the main module), so it is that same instance.
 */
const requireHere = createRequire(import.meta.url);
const { markMovable } = requireHere(join(dirname(requireHere.resolve('piscina')), 'common.js')) as { markMovable: (value: object) => void };
const TRANSFERABLE = Symbol.for('Piscina.transferable');
const VALUE = Symbol.for('Piscina.valueOf');

/** Returns a result whose buffers move to the main thread instead of being copied. */
export function moveResult<T extends object>(value: T, transfer: ArrayBuffer[]): T {
  const movable = { [TRANSFERABLE]: transfer, [VALUE]: value };
  markMovable(movable);
  return movable as unknown as T;
}
