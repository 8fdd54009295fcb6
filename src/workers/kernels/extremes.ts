import type { Elements } from './kernel';

/**
 * min (sign −1) or max (sign +1) of a row: NaN when the row holds one, as
 * numpy's min and max; a zero result is +0 (which of ±0 numpy's SIMD loops
 * return is not fixed, so both sides write +0).
 */
export function rowExtreme(v: Elements, base: number, columns: number, sign: 1 | -1, absolute: boolean): number {
  let best = absolute ? Math.abs(v[base]) : v[base];
  for (let c = 1; c < columns; c++) {
    const x = absolute ? Math.abs(v[base + c]) : v[base + c];
    if (x !== x) return NaN;
    if (sign > 0 ? x > best : x < best) best = x;
  }
  if (best !== best) return NaN;
  return best === 0 ? 0 : best;
}
