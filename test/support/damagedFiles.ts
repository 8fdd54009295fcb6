import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusFile } from './paths';

// Damaged copies of the bzip2 filter example, found by the fuzz campaign of issue 7.

/** Two flipped bits in its compressed chunks: bzip2's decoder never returns (HDF5 reading /DS1 hangs). */
export function hangingBzip2File(folder: string, name = 'hanging_bzip2.h5'): string {
  const bytes = readFileSync(corpusFile('filters/h5ex_d_bzip2.h5'));
  bytes[6688] ^= 0x40;
  bytes[9175] ^= 0x40;
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

/**
 * One of those two bits: the chunk of rows 8..16 never finishes decoding and the
 * others are whole, so in a shard run the other workers finish their blocks and
 * only the stall limit can stop the stuck one.
 */
export function hangingShardBzip2File(folder: string, name = 'hanging_shard_bzip2.h5'): string {
  const bytes = readFileSync(corpusFile('filters/h5ex_d_bzip2.h5'));
  bytes[6688] ^= 0x40;
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

/** Zeroed compressed bytes: the bzip2 plugin calls a function the wasm build lacks, and Emscripten aborts. */
export function abortingBzip2File(folder: string, name = 'aborting_bzip2.h5'): string {
  const bytes = readFileSync(corpusFile('filters/h5ex_d_bzip2.h5'));
  bytes.fill(0, 10087, 10087 + 141);
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}
