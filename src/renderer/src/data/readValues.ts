import type { H5BlocksApi } from '../../../shared/api';
import { splitForRequests, type RowWindow } from './sampling';

export interface RowBlock {
  start: number;
  rows: number;
  values: (number | string | null)[];
}

/**
 * Reads row windows of a 1-D or 2-D dataset (all columns), one request at a
 * time so a large read never floods the connection; stops when `signal` aborts.
 */
export async function readRowWindows(
  api: H5BlocksApi, fileId: string, path: string, shape: number[], windows: RowWindow[], signal: AbortSignal,
): Promise<RowBlock[]> {
  const columns = shape.length > 1 ? shape[1] : 1;
  const blocks: RowBlock[] = [];
  for (const [start, stop] of splitForRequests(windows, columns)) {
    signal.throwIfAborted();
    const ranges: [number, number][] = shape.length > 1 ? [[start, stop], [0, columns]] : [[start, stop]];
    const slice = await api.getValue(fileId, path, ranges);
    blocks.push({ start, rows: stop - start, values: slice.values });
  }
  return blocks;
}
