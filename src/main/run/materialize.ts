import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { H5BlocksError, toErrorInfo } from '@shared/errors';
import type { MaterializeResult } from '@shared/virtual';
import { normalizePath } from '../hdf5/entities';
import { checkReadableFile, closeQuietly, refuseSwmrWrittenFile } from '../hdf5/files';
import { hdf5Error } from '../hdf5/errors';
import { loadH5, objectType, type H5Dataset, type H5File, type H5Group, type H5Module } from '../hdf5/h5wasm';
import { checkBlockBytes, readHyperslab, writeHyperslab } from '../hdf5/rows';
import { removeLink } from '../hdf5/unlink';
import { listVirtualDatasets, missingSources } from '../hdf5/virtual/sources';
import { readMappings } from '../hdf5/virtual/virtualLayout';
import { beginTransaction } from '../transaction/transaction';
import { ensureParentGroups } from './output';
import { isOwnShard, removeShards } from './shardFolder';
import { removeUnusedShards, sourcesOf } from './virtualOutput';

type Metadata = H5Dataset['metadata'];
const BLOCK_BYTES = 64 * 2 ** 20;

/**
 * Replaces a virtual dataset by a regular (chunked) one holding the same
 * values and attributes, inside a transaction like a run: until the commit the
 * file is as it was, the virtual dataset and its shards intact. Once it is
 * committed, the shards only it used (h5blocks' own, in the file's shard
 * folder; never anyone else's source files) are removed.
 */
export async function materialize(filePath: string, datasetPath: string, runId: string): Promise<MaterializeResult> {
  const file = resolve(filePath);
  const name = basename(file);
  checkReadableFile(file);
  const { module } = await loadH5();
  const path = normalizePath(datasetPath);
  refuseSwmrWrittenFile(file, path);
  const transaction = beginTransaction(file, runId);
  let h5file: H5File | undefined;
  try {
    h5file = await transaction.openH5();
    const entity = safely(() => h5file!.get(path));
    if (!entity) throw new H5BlocksError('not-found', `${name}: ${path}: no such dataset`, { file, object: path });
    if (objectType(entity) !== 'Dataset') throw new H5BlocksError('invalid-argument', `${name}: ${path} is not a dataset; only a virtual dataset can be materialized`, { file, object: path });
    let mappings;
    try {
      mappings = readMappings(transaction.store, path);
    } catch (error) {
      throw new H5BlocksError('hdf5', `${name}: ${path}: its virtual dataset mappings cannot be read (${(error as Error).message})`, { file, object: path });
    }
    if (!mappings) throw new H5BlocksError('invalid-argument', `${name}: ${path} is not a virtual dataset; its values are already stored in the file`, { file, object: path });
    const sources = [...new Set(sourcesOf(transaction.store, file, path))];
    const missing = sources.filter((source) => !existsSync(source));
    if (missing.length > 0) throw missingSources(name, file, path, missing);
    removeUnusedShards(file, transaction.store, h5file);

    const dataset = entity as H5Dataset;
    const meta = dataset.metadata;
    const dtype = dtypeOf(meta, name, path);
    const shape = meta.shape ?? [];
    if (shape.length === 0) throw new H5BlocksError('invalid-argument', `${name}: ${path} is a scalar virtual dataset; h5blocks materializes datasets of one or more dimensions`, { file, object: path });
    const attributes = readAttributes(dataset);
    const rowBytes = shape.slice(1).reduce((a, b) => a * b, meta.size);
    const blockRows = Math.max(1, Math.floor(BLOCK_BYTES / Math.max(1, rowBytes)));
    checkBlockBytes(Math.min(blockRows, shape[0]) * rowBytes, name, path);
    transaction.expectBytes(shape.reduce((a, b) => a * b, meta.size) + 256 * 1024);

    // The values go to a scratch file first: h5wasm cannot delete a link, so the
    // virtual dataset's link is removed on disk (through the transaction) before
    // the regular dataset takes its name, and after that it cannot be read.
    const scratch = join(transaction.scratchDir(), 'values.bin');
    spool(module, h5file, path, shape, meta.size, blockRows, scratch);
    h5file.close();
    h5file = undefined;
    removeLink(transaction.store, transaction.file, path);
    h5file = await transaction.openH5();
    const regular = createRegular(h5file, path, shape, meta, dtype, name);
    unspool(module, h5file, path, shape, meta.size, blockRows, scratch);
    for (const attribute of attributes) writeAttribute(regular, attribute, name, path);
    // Shards another virtual dataset still maps (a second link to the same one) stay.
    // Without the list, keep them all: the next run's clean-up removes what is unused.
    const stillUsed = new Set(safely(() => listVirtualDatasets(h5file!, file).flatMap((o) => o.sources.map((s) => s.resolved))) ?? sources);
    h5file.flush();
    h5file.close();
    h5file = undefined;
    await transaction.commit();
    const removed = sources.filter((source) => isOwnShard(file, source) && !stillUsed.has(source));
    removeShards(file, removed);
    return { file, dataset: path, rows: shape[0], removedShards: removed.length };
  } catch (error) {
    if (error instanceof H5BlocksError) throw error;
    const info = toErrorInfo(transaction.diskFailure() ?? error);
    throw new H5BlocksError(info.code, info.message.startsWith(`${name}: `) ? info.message : `${name}: ${path}: ${info.message}`, { file, object: path });
  } finally {
    closeQuietly(h5file);
    transaction.rollback();
  }
}

/** Copies the dataset's values, block of rows by block, to a raw file. */
function spool(module: H5Module, h5file: H5File, path: string, shape: number[], elementBytes: number, blockRows: number, scratch: string): void {
  const fd = openSync(scratch, 'w');
  try {
    for (let start = 0; start < shape[0]; start += blockRows) {
      const rows = Math.min(blockRows, shape[0] - start);
      const bytes = readHyperslab(module, h5file, path, elementBytes, [start, ...shape.slice(1).map(() => 0)], [rows, ...shape.slice(1)]);
      writeSync(fd, new Uint8Array(bytes));
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the raw file's values into the dataset, block of rows by block. */
function unspool(module: H5Module, h5file: H5File, path: string, shape: number[], elementBytes: number, blockRows: number, scratch: string): void {
  const fd = openSync(scratch, 'r');
  const rowBytes = shape.slice(1).reduce((a, b) => a * b, elementBytes);
  try {
    for (let start = 0; start < shape[0]; start += blockRows) {
      const rows = Math.min(blockRows, shape[0] - start);
      const bytes = Buffer.alloc(rows * rowBytes);
      readSync(fd, bytes, 0, bytes.length, start * rowBytes);
      writeHyperslab(module, h5file, path, [start, ...shape.slice(1).map(() => 0)], [rows, ...shape.slice(1)], bytes);
    }
  } finally {
    closeSync(fd);
  }
}

interface CopiedAttribute {
  name: string;
  value: unknown;
  shape: number[] | null;
  dtype: string | undefined;
}

function readAttributes(dataset: H5Dataset): CopiedAttribute[] {
  return Object.entries(dataset.attrs).map(([attrName, attribute]) => {
    const meta = attribute.metadata as Metadata;
    return { name: attrName, value: attribute.value, shape: attribute.shape, dtype: meta.type === 3 ? undefined : safely(() => numericDtype(meta)) };
  });
}

function writeAttribute(target: H5Dataset, attribute: CopiedAttribute, name: string, path: string): void {
  try {
    if (attribute.dtype === undefined) {
      target.create_attribute(attribute.name, attribute.value as string | string[]);
      return;
    }
    const Typed = TYPED[attribute.dtype.slice(1)];
    const raw = attribute.value;
    const values = ArrayBuffer.isView(raw) ? raw : new Typed((Array.isArray(raw) ? raw : [raw]) as never);
    target.create_attribute(attribute.name, values as Parameters<H5Dataset['create_attribute']>[1], attribute.shape ?? [], attribute.dtype);
  } catch (error) {
    throw hdf5Error(error, name, path, `cannot copy attribute ${attribute.name}`);
  }
}

const TYPED: Record<string, new (values: ArrayLike<number> & ArrayLike<bigint>) => ArrayBufferView> = {
  e: Float32Array, f: Float32Array, d: Float64Array, b: Int8Array, h: Int16Array, i: Int32Array, q: BigInt64Array,
  B: Uint8Array, H: Uint16Array, I: Uint32Array, Q: BigUint64Array,
} as never;

function createRegular(file: H5File, path: string, shape: number[], meta: Metadata, dtype: string, name: string): H5Dataset {
  try {
    ensureParentGroups(file, path);
    const rowElements = shape.slice(1).reduce((a, b) => a * b, 1);
    const chunkRows = Math.max(1, Math.min(shape[0], Math.floor((512 * 1024) / Math.max(1, rowElements * meta.size))));
    const dataset = (file as H5Group).create_dataset({
      name: path, data: new Uint8Array(0), shape: [0, ...shape.slice(1)], maxshape: [null, ...shape.slice(1)],
      chunks: [chunkRows, ...shape.slice(1)], dtype,
    });
    dataset.resize(shape);
    return dataset;
  } catch (error) {
    throw hdf5Error(error, name, path, 'cannot create the regular dataset');
  }
}

function dtypeOf(meta: Metadata, name: string, path: string): string {
  const dtype = safely(() => numericDtype(meta));
  if (!dtype) throw new H5BlocksError('invalid-argument', `${name}: ${path}: h5blocks materializes virtual datasets of little-endian numbers only`, { object: path });
  return dtype;
}

/** numpy-style type code of a little-endian integer or float, for h5wasm. */
function numericDtype(meta: Metadata): string {
  if (!meta.littleEndian) throw new Error('big-endian');
  if (meta.type === 1) {
    const code = { 2: 'e', 4: 'f', 8: 'd' }[meta.size];
    if (code) return `<${code}`;
  }
  if (meta.type === 0) {
    const code = { 1: 'b', 2: 'h', 4: 'i', 8: 'q' }[meta.size];
    if (code) return `<${meta.signed ? code : code.toUpperCase()}`;
  }
  throw new Error('not a plain number type');
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

