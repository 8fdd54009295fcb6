/**
 * What `h5blocks bench --only` can pick: every configuration against h5py
 * serial on the contiguous or on the chunked input, the multiprocessing
 * recipes, the 2 GB-file case, the main thread's event loop during runs, and
 * the kernels' cases (sum per frame of an image stack; whole-dataset stats).
 * Its own module so the CLI can list the choices without loading the bench.
 */
export const BENCH_CASES = ['contiguous', 'chunked', 'recipes', 'file-size', 'stall', 'stack-sum', 'stats'] as const;
export type BenchCase = (typeof BENCH_CASES)[number];
/** What runs without --only: the kernels' cases write a 1 GB stack, so they run when asked for. */
export const DEFAULT_BENCH_CASES: readonly BenchCase[] = ['contiguous', 'chunked', 'recipes', 'file-size', 'stall'];
