// JSON has no NaN or Infinity (JSON.stringify writes null), so value slices
// carry non-finite numbers as strings, on both transports alike. A 'numbers'
// slice never holds other strings except exact decimals of huge 64-bit integers,
// which never spell these three words, so decoding is unambiguous.

import type { ValueSlice } from './entities';

const NON_FINITE = new Map<string, number>([['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['-Infinity', Number.NEGATIVE_INFINITY]]);

export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** A slice as it came over the wire, with 'NaN'/'Infinity'/'-Infinity' back as numbers. */
export function decodeValueSlice(slice: ValueSlice): ValueSlice {
  if (slice.kind !== 'numbers') return slice;
  return { ...slice, values: slice.values.map((value) => (typeof value === 'string' ? NON_FINITE.get(value) ?? value : value)) };
}
