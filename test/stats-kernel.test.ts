// The stats kernel's fast loops against the rules they promise, written the
// slow, obvious way: moments summed by treeSum (the documented tree order, the
// one numpy repeats for Dask) and each value's bin found by numpy's edges.
import { expect, test } from 'vitest';
import { binEdges, statsInto, statsLength, STATS_FIELDS, type StatsTask } from '../src/workers/kernels/stats';
import { treeSum } from '../src/workers/kernels/treeSum';

function referenceMoments(values: number[]): number[] {
  const clean = values.filter((x) => x === x);
  const n = clean.length;
  const mean = n ? treeSum(values, 0, values.length, (x) => (x !== x ? -0 : x)) / n : 0;
  const m2 = n ? treeSum(values, 0, values.length, (x) => (x !== x ? -0 : (x - mean) * (x - mean))) : 0;
  const low = n ? Math.min(...clean) : Infinity;
  const high = n ? Math.max(...clean) : -Infinity;
  return [n, values.length - n, low === 0 ? 0 : low, high === 0 ? 0 : high, mean, m2];
}

function referenceBin(x: number, edges: Float64Array): number | undefined {
  const last = edges.length - 2;
  if (!(x >= edges[0] && x <= edges[last + 1])) return undefined;
  for (let i = 0; i < last; i++) if (x < edges[i + 1]) return i;
  return last; // numpy's last bin is closed
}

test('moments and histogram counts are those of the tree sum and of numpy\'s edges, bit for bit', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const edges = binEdges(-3, 5, 7);
  for (let trial = 0; trial < 200; trial++) {
    const rows = 1 + Math.floor(random() * 2000);
    const columns = 1 + Math.floor(random() * 3);
    const v = random() < 0.5 ? new Float32Array(rows * columns) : new Float64Array(rows * columns);
    for (let i = 0; i < v.length; i++) {
      const r = random();
      // Values on the edges (and a hair either side), NaN, -0 and infinities among ordinary ones.
      v[i] = r < 0.2 ? edges[Math.floor(random() * edges.length)] + (random() < 0.5 ? 0 : (random() - 0.5) * 1e-15)
        : r < 0.25 ? NaN : r < 0.27 ? -0 : r < 0.28 ? Infinity : (random() - 0.3) * 10 ** (random() * 6);
    }
    const leafRows = 1 + Math.floor(random() * 500);
    for (const perColumn of [true, false]) {
      const groups = perColumn ? columns : 1;
      const task: StatsTask = { leafRows, perColumn, moments: true, histogram: { bins: 7, ranges: Array.from({ length: groups }, () => [-3, 5] as [number, number]) } };
      const out = new Float64Array(statsLength(task, rows, columns));
      statsInto(v, { rows, columns } as never, task, out);
      const expected: number[] = [];
      const counts = Array.from({ length: groups }, () => new Array<number>(7).fill(0));
      for (let leaf = 0; leaf < rows; leaf += leafRows) {
        for (let g = 0; g < groups; g++) {
          const values: number[] = [];
          for (let r = leaf; r < Math.min(rows, leaf + leafRows); r++) {
            for (let c = 0; c < columns; c++) if (!perColumn || c === g) values.push(v[r * columns + c]);
          }
          expected.push(...referenceMoments(values));
        }
      }
      for (let k = 0; k < v.length; k++) {
        const bin = referenceBin(v[k], edges);
        if (bin !== undefined) counts[perColumn ? k % columns : 0][bin]++;
      }
      expected.push(...counts.flat());
      expect(out.length).toBe(expected.length);
      expect(Object.is(out[2], -0)).toBe(false);
      // Same bits: Object.is tells -0 from 0 and NaN from NaN alike.
      const differing = Array.from(out).flatMap((x, i) => (Object.is(x, expected[i]) ? [] : [`${i % (STATS_FIELDS)}: ${x} vs ${expected[i]}`]));
      expect(differing).toEqual([]);
    }
  }
});
