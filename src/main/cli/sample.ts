import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import { closeQuietly, createHdf5 } from '../hdf5/files';
import type { H5Group } from '../hdf5/h5wasm';

export interface SampleOptions {
  rows: number;
  chunked: boolean;
  gzip: boolean;
  seed?: number;
}

const WRITE_ROWS = 1 << 20;

/**
 * A seed-style file: `/coords`, N × 2 random float32 points in [0, 1).
 * Chunked files are written block by block, so any size fits in memory; a
 * contiguous dataset must be created from all its values at once (h5wasm's
 * rule), which caps it by the 2 GiB wasm heap at about 100 M rows.
 */
export async function writeSample(path: string, options: SampleOptions): Promise<void> {
  if (existsSync(path)) throw new H5BlocksError('invalid-argument', `${basename(path)}: already exists; h5blocks sample never replaces a file`, { file: path });
  const chunked = options.chunked || options.gzip;
  const random = mulberry32(options.seed ?? 20261123);
  const file = await createHdf5(path);
  try {
    if (!chunked) {
      (file as H5Group).create_dataset({ name: 'coords', data: randomPoints(options.rows, random), shape: [options.rows, 2], dtype: '<f' });
      return;
    }
    const dataset = (file as H5Group).create_dataset({
      name: 'coords', data: new Float32Array(0), shape: [0, 2], maxshape: [null, 2],
      chunks: [Math.max(1, Math.min(65536, options.rows)), 2], dtype: '<f',
      ...(options.gzip ? { compression: 'gzip' as const, compression_opts: 4 } : {}),
    });
    dataset.resize([options.rows, 2]);
    for (let start = 0; start < options.rows; start += WRITE_ROWS) {
      const count = Math.min(WRITE_ROWS, options.rows - start);
      dataset.write_slice([[start, start + count], []], randomPoints(count, random));
    }
  } finally {
    closeQuietly(file);
  }
}

function randomPoints(rows: number, random: () => number): Float32Array {
  const values = new Float32Array(rows * 2);
  for (let i = 0; i < values.length; i++) values[i] = random();
  return values;
}

/** Small, fast and seedable: a sample file is the same every time. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
