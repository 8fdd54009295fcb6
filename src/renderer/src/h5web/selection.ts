// h5web asks for values with a selection string, one entry per dimension: an
// index fixes that dimension, ':' keeps it whole ("0,:,:" is the first 2-D
// slice of a 3-D stack). The API reads at most MAX_VALUE_ELEMENTS per call, so a
// selection is read as a row-major sequence of windows that concatenate into it.

export type Ranges = [number, number][];

export function selectionRanges(dims: number[], selection: string | undefined): Ranges {
  if (selection === undefined || selection === '') return dims.map((n): [number, number] => [0, n]);
  const parts = selection.split(',');
  if (parts.length !== dims.length) throw new Error(`selection "${selection}" has ${parts.length} entries for ${dims.length} dimensions`);
  return parts.map((part, dim): [number, number] => {
    if (part.trim() === ':') return [0, dims[dim]];
    const index = Number(part);
    if (!Number.isInteger(index) || index < 0 || index >= dims[dim]) throw new Error(`selection "${selection}": index ${part} is outside dimension ${dim} of size ${dims[dim]}`);
    return [index, index + 1];
  });
}

export function countOf(ranges: Ranges): number {
  return ranges.reduce((total, [start, stop]) => total * (stop - start), 1);
}

/**
 * Windows of at most `limit` elements covering `ranges` in row-major order: the
 * outermost dimension whose inner block fits is cut into runs of whole blocks;
 * dimensions outside it advance one index at a time.
 */
export function windows(ranges: Ranges, limit: number): Ranges[] {
  if (countOf(ranges) <= limit) return [ranges];
  let split = 0;
  while (split < ranges.length - 1 && countOf(ranges.slice(split + 1)) > limit) split++;
  const inner = countOf(ranges.slice(split + 1));
  const step = Math.max(1, Math.floor(limit / Math.max(1, inner)));
  const result: Ranges[] = [];
  const outer = ranges.slice(0, split);
  const visit = (prefix: Ranges, dim: number) => {
    if (dim === split) {
      const [start, stop] = ranges[split];
      for (let at = start; at < stop; at += step) result.push([...prefix, [at, Math.min(stop, at + step)], ...ranges.slice(split + 1)]);
      return;
    }
    const [start, stop] = outer[dim];
    for (let index = start; index < stop; index++) visit([...prefix, [index, index + 1]], dim + 1);
  };
  visit([], 0);
  return result;
}
