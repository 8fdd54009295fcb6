// The kernel seam: what a computation declares so that the engine, the
// strategies, the CLI and the app can run it without knowing what it computes.
// Adding a kernel: its own file here, its numpy twin in
// resources/python/h5blocks_kernel.py, its tests, and one line in registry.ts.
import type { NonFiniteCounts } from '@shared/run';
import { elementView, outputTypeFor, type Elements, type NumericKind, type OutputType } from '../compute/rowNorm';

export type { Elements, NumericKind, OutputType };

/** A block of whole rows: the first axis of the dataset, every other axis flattened into one row. */
export interface KernelBlock {
  /** Little-endian elements, row-major; `f2` as raw IEEE half bits. */
  buffer: ArrayBuffer;
  /** Where the block starts in `buffer`; 0 when absent. */
  byteOffset?: number;
  kind: NumericKind;
  rows: number;
  /** Elements per row: the product of every axis but the first (1 for a 1-D series). */
  columns: number;
  /** The dataset's index of the block's first row (an expression's `i`); 0 when absent. */
  firstRow?: number;
}

/** What a kernel may look at to accept or refuse a dataset. */
export interface DatasetDescription {
  kind: NumericKind;
  shape: readonly number[];
}

export const INTEGER_KINDS: readonly NumericKind[] = ['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];

/** A per-row (per-element of a series, per-frame) computation: one value per entry along the first axis. */
export interface RowKernel {
  name: string;
  /** One line, in the user's words. */
  description: string;
  /** Which datasets it takes, in words (for `h5blocks kernels`). */
  accepts: string;
  /** How the output's element type follows from the input's, in words. */
  outputRule: string;
  /** Why this dataset cannot be used (a sentence without the file's name), or undefined when it can. */
  refuses(input: DatasetDescription): string | undefined;
  outputType(kind: NumericKind): OutputType;
  /**
   * One value per row of `block` into `out` (of `outputType`, block.rows long); blockElements() gives the elements as numbers.
   * A kernel whose values may be NaN or ±Inf where the input's are not (an expression) returns how many it wrote.
   */
  computeInto(block: KernelBlock, out: Float32Array | Float64Array): NonFiniteCounts | void;
  /** The name of its numpy twin in resources/python/h5blocks_kernel.py, `f(block2d_float64) -> float64 per row`. */
  numpy: string;
}

/** The elements of a block as numbers. */
export function blockElements(block: KernelBlock): Elements {
  return elementView(block);
}

/** float32 for f2, f4 and 8/16-bit integers (float32 holds each of their values, and the seed's norm rounds to it), float64 otherwise. */
export const narrowestExact = outputTypeFor;
export const NARROWEST_RULE = 'float32 for f2, f4 and 8/16-bit integers, float64 otherwise';

export const alwaysFloat64 = (): OutputType => 'float64';
export const FLOAT64_RULE = 'float64';

/** Every numeric dataset of rank ≥ 1 with non-empty rows (the common refusals are made by the engine before the kernel is asked). */
export const anyNumeric = (): string | undefined => undefined;
