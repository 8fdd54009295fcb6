// An expression typed in the Run tab, checked against the selected dataset and
// tried on its first rows before anything runs (H5BlocksApi.previewExpression).
// The main process parses and evaluates it; the renderer only shows the answer.
import type { NonFiniteCounts } from './run';

import { encodeNumber } from './wireValues';

/** The most rows a preview computes. */
export const PREVIEW_ROWS = 10;
/** A preview reads at most this many values (the view's size gate): rows of huge frames are previewed fewer at a time, or not at all. */
export const PREVIEW_VALUE_LIMIT = 1_000_000;
/** Longer text is not an expression (the language stops at 1,000 characters and says so); this only bounds what a call may carry. */
export const MAX_EXPRESSION_CHARS = 10_000;

export type ExpressionPreview =
  | {
    ok: true;
    /** What each value is written as. */
    outputType: 'float32' | 'float64';
    /** The dataset's rows (the run computes this many values). */
    rows: number;
    /** The first results, row 0 on; NaN and ±Infinity travel as strings on the wire (see wireValues.ts). */
    values: (number | string)[];
    /** Each previewed row's own values, when rows have at most PREVIEW_INPUT_ELEMENTS elements. */
    inputs?: (number | string)[][];
    /** How many of the previewed values are NaN or ±Inf (allowed: the run writes them and counts them). */
    nonFinite: NonFiniteCounts;
    /** Why fewer than PREVIEW_ROWS values were computed although the dataset has more rows (rows too large to read for a preview). */
    note?: string;
  }
  /** Refused: `position` is the 1-based character the problem is at (0 when the dataset, not the text, is the problem). */
  | { ok: false; position: number; message: string };

/** Rows with at most this many elements are shown beside their results. */
export const PREVIEW_INPUT_ELEMENTS = 4;

/** What an expression run wrote that is not a finite number, in words; null when there was none. */
export function describeNonFinite(counts: NonFiniteCounts | undefined): string | null {
  if (!counts) return null;
  const infinite = counts.posInf + counts.negInf;
  if (counts.nan + infinite === 0) return null;
  return [counts.nan ? `${counts.nan.toLocaleString('en-US')} NaN` : '', infinite ? `${infinite.toLocaleString('en-US')} ±Inf` : ''].filter(Boolean).join(' and ');
}

/** Values as plain numbers for the wire (non-finite ones as strings). */
export function encodePreviewValues(values: ArrayLike<number>): (number | string)[] {
  return Array.from(values, encodeNumber);
}

const NON_FINITE = new Map<string, number>([['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['-Infinity', Number.NEGATIVE_INFINITY]]);
const decode = (value: number | string): number => (typeof value === 'string' ? NON_FINITE.get(value) ?? Number(value) : value);

/** A preview as it came over the wire, with 'NaN'/'Infinity'/'-Infinity' back as numbers. */
export function decodeExpressionPreview(preview: ExpressionPreview): ExpressionPreview {
  if (!preview.ok) return preview;
  return { ...preview, values: preview.values.map(decode), ...(preview.inputs ? { inputs: preview.inputs.map((row) => row.map(decode)) } : {}) };
}

