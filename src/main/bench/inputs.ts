import { statSync } from 'node:fs';
import { writeSample } from '../cli/sample';
import { runPythonScript, type PythonWithH5py } from './python';
import { formatRowCount, type BenchInput } from './results';
import type { ScratchFolder } from './scratchFolder';

/** The chunk shape users' files most often have, and the one writeSample uses. */
export const CHUNK_ROWS = 65536;
const GZIP_LEVEL = 4;
/** The target on both judged inputs: the best h5blocks configuration at least twice as fast as h5py serial. */
export const JUDGED_TARGET = 2;

interface InputPlan {
  id: string;
  rows: number;
  judged: boolean;
}

export interface InputBuilder {
  scratch: ScratchFolder;
  /** With h5py the chunked input gets shuffle+gzip from libhdf5; without, gzip alone from h5wasm. */
  python: PythonWithH5py | undefined;
  signal: AbortSignal;
  log(line: string): void;
}

/** A contiguous N×2 float32 /coords, written by the project's own sample writer. */
export async function contiguousInput(builder: InputBuilder, plan: InputPlan): Promise<BenchInput> {
  builder.signal.throwIfAborted();
  const path = builder.scratch.file(`${plan.id}.h5`);
  builder.log(`writing ${plan.id}: ${formatRowCount(plan.rows)} rows × 2 float32, contiguous`);
  await writeSample(path, { rows: plan.rows, chunked: false, gzip: false });
  return {
    id: plan.id, label: `contiguous, ${formatRowCount(plan.rows)} rows`, path, rows: plan.rows,
    layout: 'contiguous', filters: [], bytes: statSync(path).size, judged: plan.judged, targetRatio: plan.judged ? JUDGED_TARGET : undefined,
  };
}

/**
 * The same points, chunked and compressed. `source` is read, never changed.
 * Without a source (the memory run, too large to hold contiguous) the points
 * are written chunked without filters first and then compressed from there.
 */
export async function compressedInput(builder: InputBuilder, plan: InputPlan, source?: BenchInput): Promise<BenchInput> {
  builder.signal.throwIfAborted();
  const path = builder.scratch.file(`${plan.id}.h5`);
  const shared = { path, rows: plan.rows, layout: 'chunked' as const, chunkRows: Math.min(CHUNK_ROWS, plan.rows), judged: plan.judged, targetRatio: plan.judged ? JUDGED_TARGET : undefined };
  if (!builder.python) {
    builder.log(`writing ${plan.id}: ${formatRowCount(plan.rows)} rows, chunked, gzip only (no h5py here, and h5wasm can set one filter)`);
    await writeSample(path, { rows: plan.rows, chunked: true, gzip: true });
    return { ...shared, id: plan.id, label: `chunked gzip (no shuffle), ${formatRowCount(plan.rows)} rows`, filters: ['gzip'], bytes: statSync(path).size };
  }
  let sourcePath = source?.path;
  const uncompressedName = `${plan.id}.uncompressed.h5`;
  if (!sourcePath) {
    builder.log(`writing ${plan.id}: ${formatRowCount(plan.rows)} rows, chunked without filters`);
    sourcePath = builder.scratch.file(uncompressedName);
    await writeSample(sourcePath, { rows: plan.rows, chunked: true, gzip: false });
  }
  builder.log(`writing ${plan.id}: ${formatRowCount(plan.rows)} rows, chunks of ${shared.chunkRows} rows, shuffle+gzip ${GZIP_LEVEL} (h5py)`);
  try {
    await runPythonScript(builder.python, 'make_chunked.py', [
      sourcePath, path, '--dataset', '/coords', '--chunk-rows', String(CHUNK_ROWS), '--level', String(GZIP_LEVEL),
    ], builder.signal);
  } finally {
    if (!source) builder.scratch.discard(uncompressedName);
  }
  return { ...shared, id: plan.id, label: `chunked shuffle+gzip, ${formatRowCount(plan.rows)} rows`, filters: ['shuffle', 'gzip'], bytes: statSync(path).size };
}
