/**
 * What `h5blocks bench --only` can pick: every configuration against h5py
 * serial on the contiguous or on the chunked input, the multiprocessing
 * recipes, the 2 GB-file case, the main thread's event loop during runs, and
 * what a live (SWMR) run costs against a normal one.
 * Its own module so the CLI can list the choices without loading the bench.
 */
export const BENCH_CASES = ['contiguous', 'chunked', 'recipes', 'file-size', 'stall', 'live'] as const;
export type BenchCase = (typeof BENCH_CASES)[number];
