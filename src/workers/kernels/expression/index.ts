// The expression kernel: one value per row (or per frame) from a formula the
// user types, over `x` (the row) and `i` (its index). Text → jsep → the closed
// grammar (grammar.ts) → bound to the dataset's rows (bind.ts) → a JavaScript
// block function (compileJs.ts) and a numpy twin (compileNumpy.ts), both from the
// same checked tree. The text itself is never evaluated.
//
// Everything a caller needs is here: validate (live validation, the CLI's one
// line), compileExpression (a run), preview (the app's first 10 results),
// parseExprOption (`--expr`), acceptsDataset (which datasets it applies to).
import { outputTypeFor, type NumericKind, type OutputType } from '../../compute/rowNorm';
import { bindToRows, elementsPerRow } from './bind';
import { compileJs, jsSource, type BlockFunction, type NonFiniteCounts } from './compileJs';
import { NUMPY_FUNCTION, NUMPY_PRELUDE, numpySource } from './compileNumpy';
import { checkExpression, type CheckedExpression } from './grammar';
import { ExpressionRefused, describeRefusal, type Refusal } from './refusal';
import { addNonFinite, nonFiniteSummary } from '@shared/run';

export { ExpressionRefused, describeRefusal, type Refusal, type BlockFunction, type NonFiniteCounts };
export { MAX_LENGTH } from './parse';
export { NUMPY_FUNCTION, NUMPY_PRELUDE } from './compileNumpy';
export { MAX_DEPTH, FUNCTIONS_1, FUNCTIONS_2, REDUCTIONS } from './grammar';

export const KERNEL_NAME = 'expr';
export const PREVIEW_ROWS = 10;

const NUMERIC_KINDS: readonly NumericKind[] = ['f2', 'f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];
const NUMPY_NAMES: Record<string, NumericKind> = {
  float16: 'f2', float32: 'f4', float64: 'f8', int8: 'i1', uint8: 'u1', int16: 'i2', uint16: 'u2',
  int32: 'i4', uint32: 'u4', int64: 'i8', uint64: 'u8',
};

export interface ExpressionKernel {
  name: typeof KERNEL_NAME;
  /** The expression as typed: kept with the run (history, provenance, exported script). */
  expression: string;
  description: string;
  kind: NumericKind;
  /** The dataset's shape without its row axis: [] for N, [D] for N×D, [H, W] for N×H×W. */
  rowShape: number[];
  elementsPerRow: number;
  /** float32 for f2, f4 and 8/16-bit integers, float64 otherwise (the norm kernel's rule), unless the caller chose. */
  outputType: OutputType;
  /** The compiled block function: float64 evaluation, one rounding to outputType when written. */
  runBlock: BlockFunction;
  /** The generated JavaScript (for inspection and tests). */
  jsSource: string;
  numpy: {
    /** Imports and helpers, once per script. */
    prelude: string;
    /** `def h5blocks_expression(block, first_row, out_type)`, which returns the block's values in out_type. */
    source: string;
    functionName: typeof NUMPY_FUNCTION;
  };
}

export type Validation = { ok: true; outputType: OutputType; elementsPerRow: number } | Refusal;

export type Preview =
  | { ok: true; values: number[]; outputType: OutputType; nonFinite: NonFiniteCounts }
  | Refusal;

/** The checked `--expr` option, before any dataset is known: what a run request carries. */
export interface ExprOption {
  kernel: typeof KERNEL_NAME;
  expression: string;
}

/** Why the dataset cannot take expressions (a sentence), or null when it can. */
export function acceptsDataset(datasetShape: readonly number[], dtype: ElementType): string | null {
  try {
    numericKind(dtype);
    rowShapeOf(datasetShape);
    return null;
  } catch (error) {
    if (error instanceof ExpressionRefused) return error.reason;
    throw error;
  }
}

/** Checks `text` against the grammar and against the dataset's rows: ok, or where and why not. Never throws on bad text. */
export function validate(text: string, datasetShape: readonly number[], dtype: ElementType): Validation {
  return refusalOr(() => {
    const kind = numericKind(dtype);
    const rowShape = rowShapeOf(datasetShape);
    bindToRows(checkExpression(text).tree, rowShape);
    return { ok: true as const, outputType: outputTypeFor(kind), elementsPerRow: elementsPerRow(rowShape) };
  });
}

/**
 * Compiles `text` for a dataset of this shape and element type; throws ExpressionRefused.
 * `outputType` overrides the norm kernel's rule (e.g. float64 for `i` beyond 2^24 rows of float32).
 */
export function compileExpression(text: string, datasetShape: readonly number[], dtype: ElementType, options: { outputType?: OutputType } = {}): ExpressionKernel {
  const kind = numericKind(dtype);
  const rowShape = rowShapeOf(datasetShape);
  const checked: CheckedExpression = checkExpression(text);
  const tree = bindToRows(checked.tree, rowShape);
  const perRow = elementsPerRow(rowShape);
  const outputType = options.outputType ?? outputTypeFor(kind);
  return {
    name: KERNEL_NAME,
    expression: text,
    description: `the expression ${text}, one value per row`,
    kind,
    rowShape,
    elementsPerRow: perRow,
    outputType,
    runBlock: compileJs(tree, perRow, outputType),
    jsSource: jsSource(tree, perRow, outputType),
    numpy: { prelude: NUMPY_PRELUDE, source: numpySource(tree, perRow, text), functionName: NUMPY_FUNCTION },
  };
}

const compiled = new Map<string, ExpressionKernel>();
const COMPILED_KEPT = 32;

/**
 * compileExpression, kept per (text, row shape, type): a worker that gets the text with
 * every block compiles it once. The row count does not matter (only the row shape does).
 */
export function compileExpressionCached(text: string, datasetShape: readonly number[], dtype: ElementType, options: { outputType?: OutputType } = {}): ExpressionKernel {
  const key = JSON.stringify([text, datasetShape.slice(1), numericKind(dtype), options.outputType ?? null]);
  let kernel = compiled.get(key);
  if (!kernel) {
    kernel = compileExpression(text, datasetShape, dtype, options);
    if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, kernel);
  }
  return kernel;
}

/**
 * The first results (at most PREVIEW_ROWS) of `text` on sample rows: `values` are their
 * elements row-major (decoded numbers), `shape` their shape with the row count first, and
 * `firstRow` the dataset index of the first (0 by default).
 */
export function preview(
  text: string,
  sample: { values: ArrayLike<number> | BigInt64Array | BigUint64Array; shape: readonly number[]; dtype: ElementType; firstRow?: number },
): Preview {
  return refusalOr(() => {
    const kernel = compileExpression(text, sample.shape, sample.dtype);
    const rows = Math.min(sample.shape[0], PREVIEW_ROWS, Math.floor(sample.values.length / Math.max(kernel.elementsPerRow, 1)));
    // 64-bit integers as h5wasm reads them: the nearest double, as the run decodes them.
    const values = sample.values instanceof BigInt64Array || sample.values instanceof BigUint64Array
      ? Float64Array.from(sample.values.subarray(0, rows * kernel.elementsPerRow), Number)
      : sample.values;
    const out = kernel.outputType === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
    const nonFinite = kernel.runBlock(values, rows, sample.firstRow ?? 0, out);
    return { ok: true as const, values: Array.from(out), outputType: kernel.outputType, nonFinite };
  });
}

/** The numpy twin as one self-contained Python module (the prelude, then the function), for a Dask task or a script. */
export function numpyModule(kernel: Pick<ExpressionKernel, 'numpy'>): string {
  return `${kernel.numpy.prelude}\n\n${kernel.numpy.source}`;
}

/** `--expr TEXT`: checked against the grammar (the dataset's shape is checked when the run opens it). Throws ExpressionRefused. */
export function parseExprOption(text: string): ExprOption {
  checkExpression(text);
  return { kernel: KERNEL_NAME, expression: text };
}

/** The run report's sentence for the NaN and ±Inf an expression wrote (summed over blocks) into `output`, or null when there were none. */
export function nonFiniteSentence(counts: NonFiniteCounts, output: string): string | null {
  const summary = nonFiniteSummary(counts, output);
  return summary && `${summary} (e.g. a division by zero, the log of 0, or a NaN in the input); written as they are`;
}

export { addNonFinite };

function refusalOr<T>(work: () => T): T | Refusal {
  try {
    return work();
  } catch (error) {
    if (error instanceof ExpressionRefused) return error.toRefusal();
    throw error;
  }
}

/**
 * The element type: a kind code (`f4`, as RunResult.inputDtype), a numpy name (`float32`)
 * or code of either byte order (`<f4`, `>i2`), or an entity's Dtype (its numpy code).
 */
export type ElementType = string | { numpy?: string; description: string };

function numericKind(dtype: ElementType): NumericKind {
  const code = typeof dtype === 'string' ? dtype : dtype.numpy ?? '';
  const bare = /^[<>=|][fiu][1248]$/.test(code) ? code.slice(1) : code;
  const kind = (NUMERIC_KINDS as readonly string[]).includes(bare) ? (bare as NumericKind) : NUMPY_NAMES[bare];
  if (!kind) {
    const said = typeof dtype === 'string' ? dtype : dtype.description;
    throw new ExpressionRefused(0, `expressions apply to datasets of numbers (integers or floats); this one holds ${said}`);
  }
  return kind;
}

function rowShapeOf(datasetShape: readonly number[]): number[] {
  if (datasetShape.length === 0) throw new ExpressionRefused(0, 'this dataset is a single value (a scalar): an expression needs rows');
  return datasetShape.slice(1);
}
