// Typed access to vds_reference.py: what libhdf5 1.10 (h5py) reads of a virtual dataset.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ddlDataValues } from './ddl';
import { projectRoot, systemPython } from './paths';

const run = promisify(execFile);
const script = join(projectRoot, 'test/support/vds_reference.py');

export interface VdsAsRead {
  is_virtual: boolean;
  dtype: string;
  shape: number[];
  sources: [string, string][];
  /** The values' little-endian bytes. */
  bytes: Buffer;
  attributes: string[];
}

/** h5py's view of a dataset, read from `cwd` (a folder other than the file's: relative sources must not depend on it). */
export async function readVds(file: string, path: string, cwd = '/'): Promise<VdsAsRead> {
  const { stdout } = await run(systemPython, [script, 'read', file, path], { cwd, maxBuffer: 64 * 2 ** 20 });
  const parsed = JSON.parse(stdout) as Omit<VdsAsRead, 'bytes'> & { hex: string };
  return { ...parsed, bytes: Buffer.from(parsed.hex, 'hex') };
}

/** A virtual dataset made by libhdf5 itself; its mappings' heap object as libhdf5 encoded it. */
export async function libraryVds(file: string, rows: number, split: number): Promise<Buffer> {
  const { stdout } = await run(systemPython, [script, 'make', file, String(rows), String(split)]);
  return Buffer.from((JSON.parse(stdout) as { heapObject: string }).heapObject, 'hex');
}

/** What h5dump (1.10) prints as the dataset's values, as numbers. */
export async function h5dumpValues(file: string, path: string): Promise<number[]> {
  const { stdout } = await run('h5dump', ['-d', path, '-m', '%.17g', file], { cwd: '/', maxBuffer: 64 * 2 ** 20 });
  return ddlDataValues(stdout);
}

export interface VdsCheck {
  error?: string;
  exists?: boolean;
  is_virtual?: boolean;
  /** Source file names as the mappings hold them, and those not found beside the file. */
  sources?: string[];
  missing?: string[];
  sha256?: string;
  complete?: number;
}

/** After a crash: what h5py finds at `path` (values hashed, sources checked) without reading the values out here. */
export async function checkVds(file: string, path: string): Promise<VdsCheck> {
  const { stdout } = await run(systemPython, [script, 'check', file, path], { cwd: '/', maxBuffer: 16 * 2 ** 20 });
  return JSON.parse(stdout) as VdsCheck;
}
