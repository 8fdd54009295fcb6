// Comparing outputs with a float64 reference in units in the last place of the output type.

export type OutputDtype = 'float32' | 'float64';

/** Position of a float on the number line of its type: adjacent floats differ by 1. */
function orderedFloat32(value: number): number {
  const bits = new Int32Array(new Float32Array([value]).buffer)[0];
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

function orderedFloat64(value: number): bigint {
  const bits = new BigInt64Array(new Float64Array([value]).buffer)[0];
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

/** How many representable values of the output type lie between two finite values. */
export function ulpDistance(a: number, b: number, type: OutputDtype): number {
  if (type === 'float32') return Math.abs(orderedFloat32(a) - orderedFloat32(b));
  const d = orderedFloat64(a) - orderedFloat64(b);
  return Number(d < 0n ? -d : d);
}

export function roundTo(value: number, type: OutputDtype): number {
  return type === 'float32' ? Math.fround(value) : value;
}

export interface Mismatch {
  row: number;
  actual: number;
  expected: number;
  ulps: number;
}

/**
 * Rows where `actual` is not within `maxUlps` of the reference rounded once to
 * the output type. NaN must meet NaN and ±Inf the same infinity.
 */
export function mismatches(actual: ArrayLike<number>, reference: ArrayLike<number>, type: OutputDtype, maxUlps = 1): Mismatch[] {
  const found: Mismatch[] = [];
  for (let row = 0; row < reference.length; row++) {
    const expected = roundTo(reference[row], type);
    const got = actual[row];
    let ulps: number;
    if (Number.isNaN(expected) || Number.isNaN(got)) ulps = Number.isNaN(expected) && Number.isNaN(got) ? 0 : Infinity;
    else if (!Number.isFinite(expected) || !Number.isFinite(got)) ulps = expected === got ? 0 : Infinity;
    else ulps = ulpDistance(got, expected, type);
    if (ulps > maxUlps) found.push({ row, actual: got, expected, ulps });
  }
  return found;
}

export function typedView(bytes: Uint8Array, type: OutputDtype): Float32Array | Float64Array {
  const copy = bytes.slice().buffer;
  return type === 'float32' ? new Float32Array(copy) : new Float64Array(copy);
}
