// The block computation: the Euclidean norm of every row of an N×D block.
// One function of plain data, run unchanged on the main thread (inline) and in
// workers (pool, shard), which is what makes results bit-identical across strategies.

export type NumericKind = 'f2' | 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8';
export type OutputType = 'float32' | 'float64';

export const OUTPUT_BYTES: Record<OutputType, number> = { float32: 4, float64: 8 };

export const BYTES_PER_ELEMENT: Record<NumericKind, number> = {
  f2: 2, f4: 4, f8: 8, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8,
};

/** float32 where it holds the result without loss (f2, f4, 8- and 16-bit ints), float64 otherwise. */
export function outputTypeFor(kind: NumericKind): OutputType {
  return kind === 'f2' || kind === 'f4' || kind === 'i1' || kind === 'u1' || kind === 'i2' || kind === 'u2'
    ? 'float32'
    : 'float64';
}

export interface NormBlock {
  /** Little-endian elements, row-major; `f2` as raw IEEE half bits. */
  buffer: ArrayBuffer;
  /** Where the block starts in `buffer` (inline reads straight from the wasm heap); 0 when absent. */
  byteOffset?: number;
  kind: NumericKind;
  rows: number;
  columns: number;
}

// Sums of squares inside these bounds lost nothing to overflow or underflow, so
// sqrt(Σx²) is exact to rounding; outside them the row is rescaled, as hypot does.
const SAFE_LOW = 2 ** -900;
const SAFE_HIGH = 2 ** 900;

export function rowNorms(block: NormBlock): Float32Array | Float64Array {
  const out = normOutput(block.kind, block.rows);
  rowNormsInto(block, out);
  return out;
}

/** A zeroed output for `rows` norms of `kind`'s rows. */
export function normOutput(kind: NumericKind, rows: number): Float32Array | Float64Array {
  return outputTypeFor(kind) === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
}

/** The norms of `block`'s rows into `out`, one per row (`out` as normOutput makes it, or a part of one). */
export function rowNormsInto(block: NormBlock, out: Float32Array | Float64Array): void {
  const values = elementView(block);
  if (block.columns === 2 && values instanceof Float32Array && out instanceof Float32Array) normsOf2Float32(values, out, block.rows);
  else if (block.columns === 2) normsOf2(values, out, block.rows);
  else normsOfD(values, out, block.rows, block.columns);
}

export type Elements = ArrayLike<number>;

// The seed's case (N×2 float32) gets a loop of its own: with one element type
// in and out, V8 keeps it monomorphic and it runs about twice as fast.
function normsOf2Float32(v: Float32Array, out: Float32Array, rows: number): void {
  for (let r = 0, i = 0; r < rows; r++, i += 2) {
    const x = v[i];
    const y = v[i + 1];
    const s = x * x + y * y;
    out[r] = s >= SAFE_LOW && s <= SAFE_HIGH ? Math.sqrt(s) : Math.hypot(x, y);
  }
}

function normsOf2(v: Elements, out: Float32Array | Float64Array, rows: number): void {
  for (let r = 0, i = 0; r < rows; r++, i += 2) {
    const x = v[i];
    const y = v[i + 1];
    const s = x * x + y * y;
    out[r] = s >= SAFE_LOW && s <= SAFE_HIGH ? Math.sqrt(s) : Math.hypot(x, y);
  }
}

function normsOfD(v: Elements, out: Float32Array | Float64Array, rows: number, columns: number): void {
  for (let r = 0, base = 0; r < rows; r++, base += columns) {
    let s = 0;
    for (let c = 0; c < columns; c++) {
      const x = v[base + c];
      s += x * x;
    }
    out[r] = s >= SAFE_LOW && s <= SAFE_HIGH ? Math.sqrt(s) : scaledNorm(v, base, columns);
  }
}

/** IEEE hypot semantics for any D: ±Inf anywhere gives +Inf even beside NaN; otherwise NaN propagates. */
export function scaledNorm(v: Elements, base: number, columns: number): number {
  let max = 0;
  let sawNaN = false;
  for (let c = 0; c < columns; c++) {
    const a = Math.abs(v[base + c]);
    if (a === Infinity) return Infinity;
    if (a !== a) sawNaN = true;
    else if (a > max) max = a;
  }
  if (sawNaN) return NaN;
  if (max === 0) return 0;
  let s = 0;
  for (let c = 0; c < columns; c++) {
    const q = v[base + c] / max;
    s += q * q;
  }
  return max * Math.sqrt(s);
}

/** The block's elements as numbers (float16 and 64-bit integers decoded to doubles). */
export function elementView(block: NormBlock): Elements {
  const { buffer, kind } = block;
  const offset = block.byteOffset ?? 0;
  const n = block.rows * block.columns;
  switch (kind) {
    case 'f2': return decodeHalves(new Uint16Array(buffer, offset, n));
    case 'f4': return new Float32Array(buffer, offset, n);
    case 'f8': return new Float64Array(buffer, offset, n);
    case 'i1': return new Int8Array(buffer, offset, n);
    case 'u1': return new Uint8Array(buffer, offset, n);
    case 'i2': return new Int16Array(buffer, offset, n);
    case 'u2': return new Uint16Array(buffer, offset, n);
    case 'i4': return new Int32Array(buffer, offset, n);
    case 'u4': return new Uint32Array(buffer, offset, n);
    // 64-bit integers become doubles: exact up to 2^53, correctly rounded beyond, as numpy's float64 cast.
    case 'i8': return Float64Array.from(new BigInt64Array(buffer, offset, n), Number);
    case 'u8': return Float64Array.from(new BigUint64Array(buffer, offset, n), Number);
  }
}

let halfTable: Float64Array | undefined;

/** IEEE binary16 to double through a 64 Ki-entry table: every half value decodes exactly. */
export function decodeHalves(bits: Uint16Array): Float64Array {
  halfTable ??= buildHalfTable();
  const out = new Float64Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfTable[bits[i]];
  return out;
}

function buildHalfTable(): Float64Array {
  const table = new Float64Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) table[h] = sign * fraction * 2 ** -24;
    else if (exponent === 31) table[h] = fraction ? NaN : sign * Infinity;
    else table[h] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return table;
}
