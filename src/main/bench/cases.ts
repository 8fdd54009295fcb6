/**
 * What `h5blocks bench --only` can pick: `users` (whole CLI processes with
 * default settings against the h5py script, dask.array and the recipes, and
 * warm runs in one service), every configuration against h5py serial on the
 * contiguous or on the chunked input, the multiprocessing recipes, the 2
 * GB-file case, the main thread's event loop during runs, what a live (SWMR)
 * run costs against a normal one, the kernels' cases (sum per frame of an
 * image stack; whole-dataset stats), `expr` (a typed expression against the
 * built-in kernel and numpy), and `big` (a larger-than-memory input).
 * Its own module so the CLI can list the choices without loading the bench.
 */
export const BENCH_CASES = ['users', 'contiguous', 'chunked', 'recipes', 'file-size', 'stall', 'live', 'stack-sum', 'stats', 'expr', 'big'] as const;
export type BenchCase = (typeof BENCH_CASES)[number];
/** What runs without --only: all but `big` (tens of GB) and the kernels' and expression's cases (a 1 GB stack, copies of the 160 MB input). */
export const DEFAULT_CASES: readonly BenchCase[] = BENCH_CASES.filter((c) => c !== 'big' && c !== 'stack-sum' && c !== 'stats' && c !== 'expr');
