// What the Data tab asks the main process to compute from a whole dataset
// (see H5BlocksApi.getOverview): small answers that show millions of values.

/** The most bins, points or pixels per side an overview may ask for: a screen's worth, never a dataset's. */
export const MAX_OVERVIEW_BINS = 16_384;
export const MAX_OVERVIEW_POINTS = 200_000;

export type OverviewRequest =
  /** Min and max of `bins` equal runs of [start, stop) of a 1-D dataset (or of `column` of a 2-D one). */
  | { kind: 'line'; bins: number; start?: number; stop?: number; column?: number }
  /** Every step-th row of an N × k dataset, at most maxPoints rows. */
  | { kind: 'points'; maxPoints: number }
  /** One 2-D slice (leading dimensions fixed at `index`) as block means, no side longer than maxSide. */
  | { kind: 'image'; index: number[]; maxSide: number };

/** Numbers as getValue sends them: NaN and ±Infinity as strings on the wire, numbers again after the typed client. */
type WireNumber = number | string;

export type Overview =
  | {
    kind: 'line';
    /** The dataset's length, and the range this overview covers. */
    length: number; start: number; stop: number;
    /** True when the range had no more elements than bins: min and max are then the values themselves. */
    exact: boolean;
    /** Elements per bin (fractional: bin i covers [start + i·binWidth, start + (i+1)·binWidth)). */
    binWidth: number;
    min: WireNumber[]; max: WireNumber[];
  }
  | { kind: 'points'; rows: number; columns: number; step: number; sampled: number; values: WireNumber[] }
  | {
    kind: 'image';
    /** The slice's own size, and how many of its pixels (per side) each overview pixel averages. */
    height: number; width: number; factor: number;
    shape: [number, number]; values: WireNumber[];
  };

const NON_FINITE = new Map<string, number>([['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['-Infinity', Number.NEGATIVE_INFINITY]]);
const decode = (values: WireNumber[]) => values.map((value) => (typeof value === 'string' ? NON_FINITE.get(value) ?? Number(value) : value));

/** An overview as it came over the wire, with every value a number. */
export function decodeOverview(overview: Overview): Overview {
  switch (overview.kind) {
    case 'line': return { ...overview, min: decode(overview.min), max: decode(overview.max) };
    case 'points': return { ...overview, values: decode(overview.values) };
    case 'image': return { ...overview, values: decode(overview.values) };
  }
}
