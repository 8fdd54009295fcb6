// Stands in for the `ndarray` and `ndarray-ops` packages inside h5web (a Vite
// alias, see electron.vite.config.ts). Those packages build their accessors
// with `new Function`, which the app's Content-Security-Policy forbids (no
// eval, in Electron and in `h5blocks serve` alike). h5web uses a small part of
// them: construction, get/set, pick, transpose, lo/hi/step, dtype, and
// ndarray-ops' assign. This implements that part with plain loops.

type Data = ArrayLike<unknown> & { [index: number]: unknown };

const DTYPES: [new (...args: never[]) => unknown, string][] = [
  [Float32Array, 'float32'], [Float64Array, 'float64'], [Uint8ClampedArray, 'uint8_clamped'],
  [Uint8Array, 'uint8'], [Uint16Array, 'uint16'], [Uint32Array, 'uint32'],
  [Int8Array, 'int8'], [Int16Array, 'int16'], [Int32Array, 'int32'],
  ...(typeof BigInt64Array === 'undefined' ? [] : [[BigInt64Array, 'bigint64'], [BigUint64Array, 'biguint64']] as [new () => unknown, string][]),
];

function dtypeOf(data: Data): string {
  if (Array.isArray(data)) return 'array';
  for (const [type, name] of DTYPES) if (data instanceof type) return name;
  return 'generic';
}

function rowMajorStrides(shape: number[]): number[] {
  const stride = new Array<number>(shape.length);
  let size = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = size;
    size *= shape[d];
  }
  return stride;
}

export class NdArray {
  readonly dtype: string;

  constructor(readonly data: Data, readonly shape: number[], readonly stride: number[], readonly offset: number) {
    this.dtype = dtypeOf(data);
  }

  get dimension(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  get order(): number[] {
    return this.stride.map((s, d) => [Math.abs(s), d]).sort((a, b) => a[0] - b[0]).map(([, d]) => d);
  }

  index(...indices: number[]): number {
    let at = this.offset;
    for (let d = 0; d < indices.length; d++) at += this.stride[d] * indices[d];
    return at;
  }

  get(...indices: number[]): unknown {
    return this.data[this.index(...indices)];
  }

  set(...args: unknown[]): unknown {
    const value = args.pop();
    this.data[this.index(...(args as number[]))] = value;
    return value;
  }

  lo(...indices: (number | null | undefined)[]): NdArray {
    let offset = this.offset;
    const shape = [...this.shape];
    indices.forEach((i, d) => {
      if (typeof i === 'number' && i >= 0) {
        offset += this.stride[d] * i;
        shape[d] -= i;
      }
    });
    return new NdArray(this.data, shape, [...this.stride], offset);
  }

  hi(...indices: (number | null | undefined)[]): NdArray {
    const shape = this.shape.map((n, d) => {
      const i = indices[d];
      return typeof i === 'number' && i >= 0 ? i : n;
    });
    return new NdArray(this.data, shape, [...this.stride], this.offset);
  }

  step(...steps: (number | null | undefined)[]): NdArray {
    let offset = this.offset;
    const shape = [...this.shape];
    const stride = [...this.stride];
    steps.forEach((s, d) => {
      if (typeof s !== 'number' || s === 0 || !Number.isInteger(s)) return;
      if (s < 0) {
        offset += stride[d] * (shape[d] - 1);
        shape[d] = Math.ceil(-shape[d] / s);
      } else {
        shape[d] = Math.ceil(shape[d] / s);
      }
      stride[d] *= s;
    });
    return new NdArray(this.data, shape, stride, offset);
  }

  transpose(...axes: number[]): NdArray {
    const order = this.shape.map((_, d) => (axes[d] === undefined ? d : axes[d]));
    return new NdArray(this.data, order.map((d) => this.shape[d]), order.map((d) => this.stride[d]), this.offset);
  }

  pick(...indices: (number | null | undefined)[]): NdArray {
    const shape: number[] = [];
    const stride: number[] = [];
    let offset = this.offset;
    this.shape.forEach((n, d) => {
      const i = indices[d];
      if (typeof i === 'number' && i >= 0) {
        offset += this.stride[d] * i;
      } else {
        shape.push(n);
        stride.push(this.stride[d]);
      }
    });
    return new NdArray(this.data, shape, stride, offset);
  }
}

export default function ndarray(data: Data, shape?: number[], stride?: number[], offset?: number): NdArray {
  const dims = shape ?? [data.length];
  const strides = stride ?? rowMajorStrides(dims);
  let start = offset;
  if (start === undefined) {
    start = 0;
    dims.forEach((n, d) => {
      if (strides[d] < 0) start! -= (n - 1) * strides[d];
    });
  }
  return new NdArray(data, dims, strides, start);
}

/** ndarray-ops' assign: copies `source` into `target` element by element (same shape). */
export function assign(target: NdArray, source: NdArray): NdArray {
  const rank = target.shape.length;
  const total = target.size;
  if (total === 0) return target;
  const index = new Array<number>(rank).fill(0);
  let to = target.offset;
  let from = source.offset;
  for (let n = 0; n < total; n++) {
    target.data[to] = source.data[from];
    // Advance the last dimension first, carrying into earlier ones (row-major order).
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      to += target.stride[d];
      from += source.stride[d];
      if (index[d] < target.shape[d]) break;
      to -= target.stride[d] * target.shape[d];
      from -= source.stride[d] * source.shape[d];
      index[d] = 0;
    }
  }
  return target;
}
