import { basename } from 'node:path';
import type { Metadata } from 'h5wasm';
import type { ValueOptions } from '@shared/api';
import type { ValueSlice } from '@shared/entities';
import { H5BlocksError } from '@shared/errors';
import { encodeNumber } from '@shared/wireValues';
import { decodeHalves } from '../../workers/compute/rowNorm';
import { normalizePath } from '../hdf5/entities';
import { hdf5Error } from '../hdf5/errors';
import { loadH5, objectType, type H5Dataset, type H5File } from '../hdf5/h5wasm';
import { readHyperslab } from '../hdf5/rows';
import { chunkBytesOf, withDecodeBudget } from '../hdf5/decodeBudget';
import { checkSourcesPresent } from '../hdf5/virtual/sources';
import { readStoredType, whyNotExact } from '../hdf5/storedType';

/** The most elements one getValue returns: a screenful of a table or a plot's worth of points, never a whole big dataset. */
export const MAX_VALUE_ELEMENTS = 1_000_000;

// HDF5 type classes as h5wasm reports them in Metadata.type.
const INTEGER = 0;
const FLOAT = 1;
const STRING = 3;
const COMPOUND = 6;
const REFERENCE = 7;
const ENUM = 8;
const VLEN = 9;
const ARRAY = 10;

/**
 * A window of a dataset's values for the explorer. Numeric data comes back as
 * numbers (non-finite ones encoded for JSON, see wireValues.ts); everything
 * else as one display string per element, so a table can show any dataset.
 */
export async function readValueSlice(file: H5File, path: string, ranges: [number, number][], options: ValueOptions = {}): Promise<ValueSlice> {
  const objectPath = normalizePath(path);
  const where = `${basename(file.filename)}: ${objectPath}`;
  const dataset = datasetAt(file, objectPath, where);
  const meta = dataset.metadata;
  if (meta.shape === null) {
    throw new H5BlocksError('invalid-argument', `${where}: has a null dataspace, so it holds no values`, { file: file.filename, object: objectPath });
  }
  checkRanges(meta.shape, ranges, where, file.filename, objectPath);
  checkSourcesPresent(file.filename, objectPath, meta);
  // As for runs: numbers whose stored bits are not the values (custom precision, non-IEEE floats) are refused, not shown raw.
  if (meta.type === INTEGER || meta.type === FLOAT) {
    const { module } = await loadH5();
    const stored = readStoredType(file.filename, module, file, objectPath, meta);
    const inexact = stored && whyNotExact(stored);
    if (inexact) throw new H5BlocksError('unsupported-dataset', `${where}: ${inexact}`, { file: file.filename, object: objectPath });
  }
  const shape = ranges.map(([start, stop]) => stop - start);
  const count = shape.reduce((a, b) => a * b, 1);
  const numeric = meta.type === INTEGER || meta.type === FLOAT || meta.type === ENUM;
  const complex = isComplex(meta);
  const fields = options.fields && meta.type === COMPOUND && !complex ? compoundFields(meta) : undefined;
  const slice = {
    path: objectPath, ranges, shape, kind: numeric || complex ? 'numbers' : 'text',
    ...(complex ? { complex: true } : {}), ...(fields ? { fields: fields.map((field) => field.name) } : {}),
  } as const;
  if (count === 0) return { ...slice, values: [] };
  try {
    const values = complex ? readComplex(dataset, ranges)
      : numeric ? await readNumbers(file, dataset, objectPath, meta, ranges)
        : fields ? readFields(dataset, fields, ranges)
          : readText(dataset, meta, ranges);
    return { ...slice, values };
  } catch (error) {
    throw hdf5Error(error, file.filename, objectPath, 'cannot read values');
  }
}

function datasetAt(file: H5File, path: string, where: string): H5Dataset {
  let entity;
  try {
    entity = file.get(path);
  } catch {
    entity = null;
  }
  if (entity === null) throw new H5BlocksError('not-found', `${where}: no such dataset`, { file: file.filename, object: path });
  const type = objectType(entity);
  if (type !== 'Dataset') {
    throw new H5BlocksError('invalid-argument', `${where}: is a ${String(type ?? 'link').toLowerCase()}, not a dataset; only datasets have values`, { file: file.filename, object: path });
  }
  return entity as H5Dataset;
}

function checkRanges(shape: number[], ranges: [number, number][], where: string, file: string, object: string): void {
  const bad = (why: string) => new H5BlocksError('invalid-argument', `${where}: ${why}`, { file, object });
  if (ranges.length !== shape.length) {
    throw bad(`has ${shape.length} dimension${shape.length === 1 ? '' : 's'} (shape ${JSON.stringify(shape)}), but ${ranges.length} range${ranges.length === 1 ? ' was' : 's were'} given`);
  }
  ranges.forEach(([start, stop], dimension) => {
    if (start > stop || stop > shape[dimension]) {
      throw bad(`range [${start}, ${stop}) of dimension ${dimension} is outside its size ${shape[dimension]}`);
    }
  });
  const count = ranges.reduce((total, [start, stop]) => total * (stop - start), 1);
  if (count > MAX_VALUE_ELEMENTS) {
    throw new H5BlocksError('too-large', `${where}: asks for ${count.toLocaleString('en-US')} values at once; at most ${MAX_VALUE_ELEMENTS.toLocaleString('en-US')} can be read per request`, { file, object });
  }
}

async function readNumbers(file: H5File, dataset: H5Dataset, path: string, meta: Metadata, ranges: [number, number][]): Promise<(number | string)[]> {
  if (meta.type === FLOAT && meta.size === 2) {
    // h5wasm's slice cannot decode half floats (no Float16Array in Node), so read the raw bits.
    const { module } = await loadH5();
    const bits = readHyperslab(module, file, path, 2, ranges.map(([start]) => start), ranges.map(([start, stop]) => stop - start));
    return Array.from(decodeHalves(new Uint16Array(bits)), encodeNumber);
  }
  const values = ranges.reduce((total, [start, stop]) => total * (stop - start), 1);
  const raw = withDecodeBudget(file.filename, path, values * meta.size, 'cannot read values', () => (ranges.length === 0 ? dataset.value : dataset.slice(ranges)), () => chunkBytesOf(meta));
  const elements = ArrayBuffer.isView(raw) ? Array.from(raw as unknown as ArrayLike<number | bigint>) : [raw].flat();
  return elements.map((element) => numberValue(element));
}

/** A compound of two floats named as numpy/h5py name a complex number's parts (r, i; or real, imag). */
function isComplex(meta: Metadata): boolean {
  const members = meta.compound_type?.members;
  if (meta.type !== COMPOUND || members?.length !== 2 || !members.every((m) => m.type === FLOAT && m.size !== 2)) return false;
  const names = members.map((m) => m.name).join(',');
  return names === 'r,i' || names === 'real,imag';
}

function readComplex(dataset: H5Dataset, ranges: [number, number][]): (number | string)[] {
  const raw = ranges.length === 0 ? [dataset.value] : dataset.slice(ranges);
  const elements = (Array.isArray(raw) ? raw : [raw]) as unknown[];
  return elements.flatMap((element) => (Array.isArray(element) ? element : [Number.NaN, Number.NaN]).map((part) => encodeNumber(Number(part))));
}

/** A number for the table: exact decimal strings for 64-bit integers past 2^53, which a double would round. */
function numberValue(element: unknown): number | string {
  if (typeof element === 'bigint') {
    const asNumber = Number(element);
    return Number.isSafeInteger(asNumber) ? asNumber : element.toString();
  }
  if (typeof element === 'number') return encodeNumber(element);
  if (typeof element === 'boolean') return element ? 1 : 0;
  return String(element);
}

interface Field {
  /** Dotted for a nested compound's members: `pos.u`. */
  name: string;
  /** Where the field sits in h5wasm's nested arrays of member values. */
  at: number[];
  meta: Metadata;
}

/** A compound's leaf fields in order, nested compounds flattened with dotted names. */
export function compoundFields(meta: Metadata, prefix = '', at: number[] = []): Field[] {
  return (meta.compound_type?.members ?? []).flatMap((member, index) => {
    const name = `${prefix}${member.name}`;
    const where = [...at, index];
    return member.type === COMPOUND && !isComplex(member) ? compoundFields(member, `${name}.`, where) : [{ name, at: where, meta: member }];
  });
}

/** One text per field of each element, row-major: the cells of a table with a column per field. */
function readFields(dataset: H5Dataset, fields: Field[], ranges: [number, number][]): string[] {
  const raw = ranges.length === 0 ? [dataset.value] : dataset.slice(ranges);
  const elements: unknown[] = Array.isArray(raw) ? raw : [raw];
  const cells: string[] = [];
  for (const element of elements) {
    for (const field of fields) {
      let value: unknown = element;
      for (const index of field.at) value = Array.isArray(value) ? value[index] : undefined;
      cells.push(field.meta.type === STRING ? String(value) : formatElement(value, field.meta, dataset));
    }
  }
  return cells;
}

function readText(dataset: H5Dataset, meta: Metadata, ranges: [number, number][]): string[] {
  const raw = ranges.length === 0 ? [dataset.value] : dataset.slice(ranges);
  const elements: unknown[] = Array.isArray(raw) ? raw : ArrayBuffer.isView(raw) ? Array.from(raw as unknown as ArrayLike<unknown>) : [raw];
  return elements.map((element) => formatElement(element, meta, dataset));
}

/** One element as a person reads it: `{x: 0.5, label: "pt"}`, `[0, 1, 2]`, `→ /group/dataset`. */
function formatElement(value: unknown, meta: Metadata, dataset: H5Dataset): string {
  switch (meta.type) {
    case STRING:
      return String(value);
    case COMPOUND: {
      const members = meta.compound_type?.members ?? [];
      const parts = Array.isArray(value) ? value : [];
      return `{${members.map((member, i) => `${member.name}: ${nested(parts[i], member, dataset)}`).join(', ')}}`;
    }
    case VLEN:
      return meta.vlen_type ? listText(value, meta.vlen_type, dataset) : String(value);
    case ARRAY:
      return meta.array_type ? listText(value, meta.array_type, dataset) : String(value);
    case REFERENCE:
      return referenceText(value, dataset);
    case INTEGER:
    case FLOAT:
    case ENUM:
      return numberText(value, meta);
    default:
      return bytesText(value);
  }
}

function nested(value: unknown, meta: Metadata, dataset: H5Dataset): string {
  return meta.type === STRING ? JSON.stringify(String(value)) : formatElement(value, meta, dataset);
}

function listText(value: unknown, item: Metadata, dataset: H5Dataset): string {
  const items = Array.isArray(value) ? value : ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : [value];
  return `[${items.map((element) => (Array.isArray(element) && item.type !== COMPOUND ? listText(element, item, dataset) : nested(element, item, dataset))).join(', ')}]`;
}

function numberText(value: unknown, meta: Metadata): string {
  if (typeof value === 'number' && meta.type === FLOAT && meta.size === 4) return shortestFloat32(value);
  return String(value);
}

/** The fewest digits that read back as the same float32: 0.1 rather than 0.10000000149011612. */
function shortestFloat32(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits <= 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

function referenceText(value: unknown, dataset: H5Dataset): string {
  try {
    const target = dataset.dereference(value as Parameters<H5Dataset['dereference']>[0]) as { path?: string; source_dataset?: { path: string } } | null;
    if (target?.source_dataset) return `region of ${target.source_dataset.path}`;
    if (target?.path) return `→ ${target.path}`;
  } catch {
    // An unresolvable reference reads as such below.
  }
  return 'reference (unresolved)';
}

function bytesText(value: unknown): string {
  if (value instanceof Uint8Array) return Array.from(value, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return String(value);
}
