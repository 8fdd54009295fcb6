/** About `count` ticks from start to end, at 1, 2 or 5 × a power of ten. */
export function niceTicks(start: number, end: number, count: number): number[] {
  const span = end - start;
  if (!(span > 0)) return [start];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
