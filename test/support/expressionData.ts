// Seeded blocks of every numeric element type for the expression tests: random
// values across the type's range plus its edges (NaN, ±Inf, ±0, subnormals and
// the largest values for floats; min, max, 0 and -1 for integers).
import { decodeHalves, type NumericKind } from '../../src/workers/compute/rowNorm';

export const ALL_KINDS: NumericKind[] = ['f2', 'f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];

export const NUMPY_DTYPE: Record<NumericKind, string> = {
  f2: '<f2', f4: '<f4', f8: '<f8', i1: '|i1', u1: '|u1', i2: '<i2', u2: '<u2', i4: '<i4', u4: '<u4', i8: '<i8', u8: '<u8',
};

/** mulberry32: small, seeded, good enough to spread test values. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TestBlock {
  kind: NumericKind;
  /** Raw little-endian bytes, as a dataset stores them. */
  bytes: Uint8Array;
  /** The elements as numbers (what the block function reads): float16 and 64-bit integers decoded. */
  values: ArrayLike<number>;
}

const FLOAT_EDGES = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1000, 1001, -1000];

export function makeBlock(kind: NumericKind, count: number, seed: number): TestBlock {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const edge = () => random() < 0.15;
  switch (kind) {
    case 'f2': {
      const bits = new Uint16Array(count);
      for (let k = 0; k < count; k++) bits[k] = Math.floor(random() * 65536);
      return { kind, bytes: new Uint8Array(bits.buffer), values: decodeHalves(bits) };
    }
    case 'f4':
    case 'f8': {
      const array = kind === 'f4' ? new Float32Array(count) : new Float64Array(count);
      const largest = kind === 'f4' ? 3.4028234663852886e38 : Number.MAX_VALUE;
      const tiny = kind === 'f4' ? 1.401298464324817e-45 : Number.MIN_VALUE;
      for (let k = 0; k < count; k++) {
        if (edge()) array[k] = pick([...FLOAT_EDGES, largest, -largest, tiny, -tiny]);
        else array[k] = (random() - 0.5) * 10 ** Math.floor(random() * (kind === 'f4' ? 12 : 40) - (kind === 'f4' ? 4 : 20));
      }
      return { kind, bytes: new Uint8Array(array.buffer), values: array };
    }
    case 'i8':
    case 'u8': {
      const array = kind === 'i8' ? new BigInt64Array(count) : new BigUint64Array(count);
      const edges = kind === 'i8' ? [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n, 1000n, 1001n] : [0n, 2n ** 64n - 1n, 2n ** 53n + 1n, 1000n, 1001n];
      for (let k = 0; k < count; k++) {
        const high = BigInt(Math.floor(random() * 2 ** 32));
        const low = BigInt(Math.floor(random() * 2 ** 32));
        const wide = (high << 32n) | low;
        array[k] = edge() ? pick(edges) : kind === 'i8' ? BigInt.asIntN(64, wide >> BigInt(Math.floor(random() * 60))) : wide >> BigInt(Math.floor(random() * 60));
      }
      return { kind, bytes: new Uint8Array(array.buffer), values: Float64Array.from(array as Iterable<bigint>, Number) };
    }
    default: {
      const Type = { i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array }[kind];
      const bits = Type.BYTES_PER_ELEMENT * 8;
      const signed = kind.startsWith('i');
      const min = signed ? -(2 ** (bits - 1)) : 0;
      const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      const array = new Type(count);
      for (let k = 0; k < count; k++) {
        array[k] = edge() ? pick([min, max, 0, signed ? -1 : 1, 1000 % (max + 1), 1001 % (max + 1)]) : min + Math.floor(random() * (max - min + 1));
      }
      return { kind, bytes: new Uint8Array(array.buffer), values: array };
    }
  }
}
