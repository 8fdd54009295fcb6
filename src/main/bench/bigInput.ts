import { closeSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { findContiguousStorage } from '../hdf5/contiguousStorage';
import { freeBytes } from '../transaction/diskSpace';
import { runPythonScript, type PythonWithH5py } from './python';
import { formatRowCount, type BenchInput } from './results';
import type { ScratchFolder } from './scratchFolder';

/** What a run may need beyond the input: its output (4 bytes a row) and HDF5's metadata, with room to spare. */
const OUTPUT_BYTES_PER_ROW = 4;
const MARGIN_BYTES = 2 * 2 ** 30;

/**
 * The larger-than-memory case (`--only big`): N × 2 float32, contiguous, made
 * by h5py in pieces. Copying tens of GB for every run would cost more than the
 * runs, so every contender writes into the one file, which is then put back as
 * it was: its bytes outside /coords' storage (the metadata every run edits) are
 * kept aside and written back, and the file is cut to its original length.
 * /coords' own bytes are never written by anyone (every engine only reads its input).
 */
export class BigInput {
  private constructor(readonly input: BenchInput, private readonly head: Buffer, private readonly tail: Buffer, private readonly tailAt: number, private readonly length: number) {}

  /** The input, or why it cannot be made here (not enough disk, no h5py). */
  static async make(rows: number, scratch: ScratchFolder, python: PythonWithH5py | undefined, signal: AbortSignal, log: (line: string) => void): Promise<BigInput | string> {
    if (!python) return 'the big case was skipped: it needs h5py to write its input';
    const needed = rows * (8 + OUTPUT_BYTES_PER_ROW) + MARGIN_BYTES;
    const free = freeBytes(scratch.path);
    if (free !== undefined && free < needed) {
      return `the big case was skipped: ${formatRowCount(rows)} rows need about ${(needed / 1e9).toFixed(1)} GB in ${scratch.path} (the input and one output at a time), ${(free / 1e9).toFixed(1)} GB free; set TMPDIR to a larger disk or pass --big-rows`;
    }
    const path = scratch.file('big.h5');
    log(`writing big: ${formatRowCount(rows)} rows × 2 float32, contiguous (h5py, in pieces)`);
    await runPythonScript(python, 'make_big.py', [path, '--rows', String(rows)], signal).catch((error: unknown) => {
      throw error;
    });
    const storage = findContiguousStorage(path, '/coords', rows, 8);
    if (!storage) throw new Error('the big input was not written as one contiguous run of bytes');
    const length = statSync(path).size;
    const tailAt = storage.address + rows * 8;
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(storage.address);
      readSync(fd, head, 0, head.length, 0);
      const tail = Buffer.alloc(Math.max(0, length - tailAt));
      if (tail.length > 0) readSync(fd, tail, 0, tail.length, tailAt);
      const input: BenchInput = {
        id: 'big', label: `contiguous, ${formatRowCount(rows)} rows (${(rows * 8 / 1e9).toFixed(0)} GB)`, path, rows,
        layout: 'contiguous', filters: [], bytes: length, judged: false,
      };
      return new BigInput(input, head, tail, tailAt, length);
    } finally {
      closeSync(fd);
    }
  }

  /** Puts the file back as it was made, after a run added its output. */
  restore(): void {
    const fd = openSync(this.input.path, 'r+');
    try {
      writeSync(fd, this.head, 0, this.head.length, 0);
      if (this.tail.length > 0) writeSync(fd, this.tail, 0, this.tail.length, this.tailAt);
      ftruncateSync(fd, this.length);
    } finally {
      closeSync(fd);
    }
  }
}
