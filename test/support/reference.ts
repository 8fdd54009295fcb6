// Typed access to h5_reference.py: what libhdf5 (h5py) and numpy say, independently of h5wasm and the engine.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OutputDtype } from './floats';
import { projectRoot, systemPython } from './paths';

const run = promisify(execFile);
const script = join(projectRoot, 'test/support/h5_reference.py');

async function python<T>(args: string[], env?: NodeJS.ProcessEnv): Promise<T> {
  const { stdout } = await run(systemPython, [script, ...args], { maxBuffer: 64 * 2 ** 20, ...(env ? { env: { ...process.env, ...env } } : {}) });
  return JSON.parse(stdout) as T;
}

export interface ExpectedNorms {
  rows: number;
  columns: number;
  /** numpy's dtype string of the input, e.g. `>f4`. */
  inputDtype: string;
  outputDtype: OutputDtype;
  /** Float64 row norms (hypot semantics, extended-precision sums). */
  norms: Float64Array;
}

/** Expected row norms of datasets of one file, computed with numpy. */
export async function expectedNorms(file: string, scratch: string, datasets: string[]): Promise<Map<string, ExpectedNorms>> {
  const manifest = await python<Record<string, Omit<ExpectedNorms, 'norms'> & { expectedFile: string }>>(['norms', file, scratch, ...datasets]);
  const result = new Map<string, ExpectedNorms>();
  for (const [path, entry] of Object.entries(manifest)) {
    const bytes = readFileSync(entry.expectedFile);
    const norms = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    result.set(path, { rows: entry.rows, columns: entry.columns, inputDtype: entry.inputDtype, outputDtype: entry.outputDtype, norms });
  }
  return result;
}

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export interface OutputAsRead {
  exists: boolean;
  /** numpy dtype string, e.g. `<f4`. */
  dtype: string;
  shape: number[];
  attributes: Record<string, AttributeValue>;
  /** The values exactly as stored (little-endian). */
  bytes: Uint8Array;
}

type RawOutputs = Record<string, Omit<OutputAsRead, 'bytes'> & { valuesFile?: string }>;

function withBytes(raw: RawOutputs): Map<string, OutputAsRead> {
  const result = new Map<string, OutputAsRead>();
  for (const [path, entry] of Object.entries(raw)) {
    const bytes = entry.valuesFile ? new Uint8Array(readFileSync(entry.valuesFile)) : new Uint8Array(0);
    result.set(path, { ...entry, bytes });
  }
  return result;
}

/** Output datasets as h5py reads them back from the file. */
export async function readOutputs(file: string, scratch: string, paths: string[]): Promise<Map<string, OutputAsRead>> {
  return withBytes(await python<RawOutputs>(['outputs', file, scratch, ...paths]));
}

/** readOutputs and snapshot (everything but `exclude`) in one start of python. */
export async function readOutputsAndSnapshot(
  file: string, scratch: string, paths: string[], exclude: string,
): Promise<{ outputs: Map<string, OutputAsRead>; snapshot: Record<string, string> }> {
  const raw = await python<{ outputs: RawOutputs; snapshot: Record<string, string> }>(['outputs-snapshot', file, scratch, exclude, ...paths]);
  return { outputs: withBytes(raw.outputs), snapshot: raw.snapshot };
}

/** SHA-256 per object (values and attributes), every object but those under `exclude`. */
export function snapshot(file: string, exclude: string[] = []): Promise<Record<string, string>> {
  return python<Record<string, string>>(['snapshot', file, ...exclude]);
}

/**
 * snapshot() of a file an open transaction of this process holds: without
 * HDF5's lock, which the transaction holds, to see what is on disk meanwhile.
 */
export function snapshotOnDisk(file: string): Promise<Record<string, string>> {
  return python<Record<string, string>>(['snapshot', file], { HDF5_USE_FILE_LOCKING: 'FALSE' });
}

export interface CoordsCheck {
  coordsSha256: string;
  distances: null | { complete: number; rows: number; dtype: string; maxUlp: number };
}

/** For the kill test: /coords' hash, and whether /distances is there, marked complete, and right. */
export function checkCoordsFile(file: string): Promise<CoordsCheck> {
  return python<CoordsCheck>(['coords-check', file]);
}

export type Described =
  | { link: 'soft'; target: string; resolves: boolean }
  | { link: 'external'; file: string; target: string }
  | { kind: 'group'; attributes: Record<string, AttributeValue>; children: string[] }
  | { kind: 'datatype'; attributes: Record<string, AttributeValue>; fields: string[] }
  | {
      kind: 'dataset'; attributes: Record<string, AttributeValue>; shape: number[]; maxshape: number[]; dtype: string;
      chunks: number[] | null; filters: number[]; layout: string; enum?: Record<string, number>; reference: boolean;
      vlen: string | null; endianness?: string;
    };

export function describe(file: string, paths: string[]): Promise<Record<string, Described>> {
  return python<Record<string, Described>>(['describe', file, ...paths]);
}

/** One python process answering coords checks one file at a time (the kill campaign makes a hundred). */
export class CoordsChecker {
  private readonly child = spawn(systemPython, [script, 'coords-check-many'], { stdio: ['pipe', 'pipe', 'inherit'] });
  private readonly waiting: ((line: string) => void)[] = [];
  private buffered = '';

  constructor() {
    this.child.stdout.setEncoding('utf8').on('data', (text: string) => {
      this.buffered += text;
      for (let at = this.buffered.indexOf('\n'); at >= 0; at = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, at);
        this.buffered = this.buffered.slice(at + 1);
        this.waiting.shift()?.(line);
      }
    });
  }

  check(file: string): Promise<CoordsCheck & { error?: string }> {
    return new Promise((resolveCheck) => {
      this.waiting.push((line) => resolveCheck(JSON.parse(line) as CoordsCheck & { error?: string }));
      this.child.stdin.write(`${file}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}
