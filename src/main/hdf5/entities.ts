import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix } from 'node:path';
import type { Metadata } from 'h5wasm';
import type {
  Attribute, AttributeValue, ChildSummary, DatasetEntity, Entity, EntityKind, ExternalSource, Filter, Layout,
} from '@shared/entities';
import { H5BlocksError } from '@shared/errors';
import { describeDtype } from './dtypes';
import { externalStorageFiles, storedLayout } from './layout';
import { resolveSource } from './virtual/sources';
import { mayOpen } from './confinement';
import { readStoredType, withStoredDetails } from './storedType';
import { declaredAttributes, linkTypes as readLinkTypes } from './rawFormat';
import { hdf5Error } from './errors';
import { loadH5, objectType, type H5Dataset, type H5File, type H5Module } from './h5wasm';

/** One entity, described without reading its values; groups list their children, not their grandchildren. */
export async function getEntity(file: H5File, path: string): Promise<Entity> {
  const { module } = await loadH5();
  const normalized = normalizePath(path);
  try {
    return describe(file, module, normalized);
  } catch (error) {
    throw hdf5Error(error, file.filename, normalized, 'cannot read');
  }
}

export function normalizePath(path: string): string {
  const joined = posix.normalize(`/${path}`);
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

function describe(file: H5File, module: H5Module, path: string): Entity {
  const name = path === '/' ? '/' : posix.basename(path);
  if (path !== '/') {
    const parent = posix.dirname(path);
    const linkKind = childKind(file, module, parent, name);
    // h5wasm cannot resolve a user-defined link: the group's own link messages (compact or dense) say what it is.
    const linkClass = linkKind === undefined || linkKind === 'group' || linkKind === 'broken-link' ? userDefinedLinkClass(file, parent, name) : undefined;
    if (linkClass !== undefined) return { kind: 'user-defined-link', path, name, linkClass };
    if (linkKind === undefined) {
      // A link the group holds but HDF5 cannot follow to an object it can open
      // (a damaged header, a message it does not know): HDF5's own error says why.
      if (isListedIn(file, parent, name)) file.get_type(path);
      throw new H5BlocksError('not-found', `${basename(file.filename)}: ${path}: no such object`, { file: file.filename, object: path });
    }
    if (linkKind === 'soft-link' || linkKind === 'broken-link') {
      const target = file.get_link(path) ?? '';
      if (linkKind === 'broken-link') return { kind: 'broken-link', path, name, target };
      return { kind: 'soft-link', path, name, target };
    }
    if (linkKind === 'external-link') {
      const { filename, obj_path } = file.get_external_link(path);
      const resolved = isAbsolute(filename) ? filename : join(dirname(file.filename), filename);
      return { kind: 'external-link', path, name, file: filename, target: obj_path, resolvable: existsSync(resolved) };
    }
  }
  const entity = file.get(path);
  if (entity === null) throw new H5BlocksError('not-found', `${basename(file.filename)}: ${path}: no such object`, { file: file.filename, object: path });
  switch (objectType(entity)) {
    case 'Group':
      return {
        kind: 'group', path, name,
        attributes: withUndeclared(readAttributes(entity as unknown as { attrs: Record<string, H5Attribute> }, module), file.filename, path),
        children: listChildren(file, module, path),
      };
    case 'Dataset':
      return describeDataset(entity as H5Dataset, path, file.filename, name, { module, file });
    case 'Datatype':
      return {
        kind: 'datatype', path, name,
        dtype: describeDtype((entity as unknown as { metadata: Metadata }).metadata),
        attributes: readAttributes(entity as unknown as { attrs: Record<string, H5Attribute> }, module),
      };
    default:
      throw new H5BlocksError('hdf5', `${file.filename}: ${path}: unsupported object type ${objectType(entity)}`, { file: file.filename, object: path });
  }
}

export function describeDataset(
  dataset: H5Dataset, path: string, filePath?: string, name = posix.basename(path), opened?: { module: H5Module; file: H5File },
): DatasetEntity {
  const meta = dataset.metadata;
  // Precision, offset and float layout that h5wasm does not report, from the file's own Datatype message.
  const stored = opened && filePath ? readStoredType(filePath, opened.module, opened.file, path, meta) : undefined;
  const elements = meta.shape ? meta.shape.reduce((a, b) => a * b, 1) : 0;
  const dtype = withStoredDetails(describeDtype(meta), stored);
  const storedLayoutOf = filePath && meta.shape && meta.shape.length > 0 ? storedLayout(filePath, path) : {};
  return {
    kind: 'dataset', path, name,
    shape: meta.shape,
    maxShape: meta.maxshape,
    dtype,
    layout: layoutOf(meta, storedLayoutOf.layout),
    chunks: meta.chunks,
    filters: dataset.filters.map((f): Filter => ({ id: f.id, name: f.name, cdValues: f.cd_values })),
    attributes: filePath ? withUndeclared(readAttributes(dataset as unknown as { attrs: Record<string, H5Attribute> }, opened?.module), filePath, path) : readAttributes(dataset as unknown as { attrs: Record<string, H5Attribute> }, opened?.module),
    memoryBytes: elements * dtype.size,
    ...(storedLayoutOf.storageBytes !== undefined ? { storageBytes: storedLayoutOf.storageBytes } : {}),
    ...externalSourcesOf(meta, filePath, path),
  };
}

/** Where values outside this file come from, so the inspector can say so before anything is read. */
function externalSourcesOf(meta: Metadata, filePath: string | undefined, path: string): { externalSources?: ExternalSource[] } {
  const sources: ExternalSource[] = [];
  for (const source of meta.virtual_sources ?? []) {
    // "." is the virtual dataset's own file.
    if (source.file_name === '.' || sources.some((s) => s.file === source.file_name && s.dataset === source.dset_name)) continue;
    // HDF5 looks for a relative source beside the file; a missing one reads as fill values, without an error.
    const missing = filePath ? !existsSync(resolveSource(filePath, source.file_name)) : undefined;
    const outside = filePath !== undefined && !mayOpen(resolveSource(filePath, source.file_name));
    sources.push({ kind: 'virtual-source', file: source.file_name, dataset: source.dset_name, ...(missing !== undefined ? { missing } : {}), ...(outside ? { outside } : {}) });
  }
  if (filePath && !meta.chunks && !meta.virtual_sources?.length) {
    for (const file of externalStorageFiles(filePath, path)) sources.push({ kind: 'external-storage', file });
  }
  return sources.length > 0 ? { externalSources: sources } : {};
}

// h5wasm reports chunks and virtual sources but not the layout itself; compact
// and contiguous are told apart by reading the layout message from the file.
function layoutOf(meta: Metadata, stored: Layout | undefined): Layout {
  if (meta.shape === null) return 'null';
  if (meta.virtual_sources && meta.virtual_sources.length > 0) return 'virtual';
  if (meta.chunks) return 'chunked';
  if (meta.shape.length === 0) return 'scalar';
  return stored ?? 'contiguous';
}

// h5wasm's get_type follows links, so links are recognised by reading the link
// itself first; get_type then tells whether its target resolves.
function childKind(file: H5File, module: H5Module, parent: string, name: string): EntityKind | undefined {
  const path = parent === '/' ? `/${name}` : `${parent}/${name}`;
  let type: number;
  try {
    type = file.get_type(path);
  } catch {
    // With HDF5's errors turned into exceptions, a dangling link throws while resolving.
    type = module.H5G_LINK;
  }
  const resolves = type !== module.H5G_LINK && type !== module.H5G_UDLINK;
  if (safely(() => file.get_link(path))) return resolves ? 'soft-link' : 'broken-link';
  if (safely(() => file.get_external_link(path))?.filename !== undefined) return 'external-link';
  if (type === module.H5G_GROUP) return 'group';
  if (type === module.H5G_DATASET) return 'dataset';
  if (type === module.H5G_TYPE) return 'datatype';
  return undefined;
}

function isListedIn(file: H5File, parent: string, name: string): boolean {
  return safely(() => ((parent === '/' ? file : file.get(parent)) as unknown as { keys(): string[] }).keys().includes(name)) ?? false;
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A group's children with their kinds (links recognised as links), without reading them. */
export function listChildren(file: H5File, module: H5Module, path: string): ChildSummary[] {
  const group = path === '/' ? file : file.get(path);
  const names = (group as unknown as { keys(): string[] }).keys();
  // h5wasm reports a user-defined link as a group: the group's own link messages say what it is.
  let linkTypes: Map<string, number> | undefined | null = null;
  return names.map((childName) => {
    const kind = childKind(file, module, path, childName) ?? 'broken-link';
    if (kind === 'group' || kind === 'broken-link') {
      if (linkTypes === null) linkTypes = readLinkTypes(file.filename, path);
      if ((linkTypes?.get(childName) ?? 0) >= FIRST_USER_DEFINED_LINK_CLASS) {
        return { name: childName, path: path === '/' ? `/${childName}` : `${path}/${childName}`, kind: 'user-defined-link' as const };
      }
    }
    return { name: childName, path: path === '/' ? `/${childName}` : `${path}/${childName}`, kind };
  });
}

/** HDF5's link classes: 0 hard, 1 soft, 64 external; from 65 on, classes other programs register. */
const FIRST_USER_DEFINED_LINK_CLASS = 65;

/** The class of a user-defined link `name` in the group at `parent`, or undefined when it is not one. */
function userDefinedLinkClass(file: H5File, parent: string, name: string): number | undefined {
  const type = readLinkTypes(file.filename, parent)?.get(name);
  return type !== undefined && type >= FIRST_USER_DEFINED_LINK_CLASS ? type : undefined;
}

interface H5Attribute {
  file_id: bigint;
  path: string;
  name: string;
  shape: number[] | null;
  metadata: Metadata;
  json_value: unknown;
}

function readAttributes(owner: { attrs: Record<string, H5Attribute>; file_id?: bigint }, module?: H5Module): Attribute[] {
  let names: string[];
  try {
    names = Object.keys(owner.attrs);
  } catch (error) {
    return [{ name: '(attributes)', shape: null, dtype: { class: 'unknown', size: 0, description: 'unknown' }, value: `<unreadable: ${firstLineOf(error)}>` }];
  }
  const describeReference = module && owner.file_id !== undefined ? referenceWords(module, owner.file_id) : undefined;
  return names.map((name) => {
    // One attribute h5wasm cannot read is shown as unreadable; its neighbours and the object still show.
    let attr: H5Attribute;
    let dtype: Attribute['dtype'];
    try {
      attr = owner.attrs[name];
      dtype = describeDtype(attr.metadata);
    } catch (error) {
      return { name, shape: null, dtype: { class: 'unknown', size: 0, description: 'unknown' }, value: `<unreadable: ${firstLineOf(error)}>` };
    }
    let value: AttributeValue;
    try {
      value = toAttributeValue(attr.json_value, describeReference);
    } catch (error) {
      const raw = module ? safely(() => rawNumericAttribute(module, attr)) : undefined;
      value = raw ?? `<unreadable: ${firstLineOf(error)}>`;
    }
    const shape = safely(() => attr.shape) ?? null;
    // A scalar reference comes back as a one-element list: a scalar is shown as one value.
    if (shape !== null && shape.length === 0 && Array.isArray(value) && value.length === 1) value = value[0];
    return { name, shape, dtype, value };
  });
}

/**
 * The attributes the object's header declares that h5wasm did not list (it
 * skips one whose dataspace is absurd, as in a damaged or malicious file):
 * shown with their name, declared shape and the reason, as h5py and h5dump list them.
 */
function withUndeclared(attributes: Attribute[], filePath: string, path: string): Attribute[] {
  const listed = new Set(attributes.map((a) => a.name));
  const missing = (declaredAttributes(filePath, path) ?? []).filter((a) => !listed.has(a.name));
  return [...attributes, ...missing.map((a): Attribute => {
    const shape = a.shape === null ? null : a.shape.map(Number);
    const elements = a.shape === null ? 0n : a.shape.reduce<bigint>((n, d) => n * BigInt(d), 1n);
    return {
      name: a.name, shape,
      dtype: { class: 'unknown', size: 0, description: 'unknown' },
      value: `<unreadable: HDF5 could not read it; its dataspace declares ${a.shape === null ? 'no' : `[${a.shape.join(', ')}], ${elements.toLocaleString('en-US')}`} elements (the file is probably damaged)>`,
    };
  })];
}

/**
 * Numbers h5wasm's value conversion does not take (float16, 128-bit integers),
 * from the attribute's bytes as libhdf5 reads them (little-endian): float16
 * widens to a number exactly; a 128-bit integer is a number when exact, else
 * its decimal digits.
 */
function rawNumericAttribute(module: H5Module, attr: H5Attribute): AttributeValue | undefined {
  const meta = attr.metadata;
  const half = meta.type === 1 && meta.size === 2;
  const wideInteger = meta.type === 0 && meta.size === 16;
  if (!half && !wideInteger) return undefined;
  const count = (attr.shape ?? []).reduce((a, b) => a * b, 1);
  const bytes = count * meta.size;
  const pointer = module._malloc(Math.max(1, bytes));
  try {
    module.get_attribute_data(attr.file_id, attr.path, attr.name, BigInt(pointer));
    const view = new DataView(module.HEAPU8.slice(pointer, pointer + bytes).buffer);
    const values: AttributeValue[] = [];
    for (let i = 0; i < count; i++) {
      if (half) {
        values.push(halfToNumber(view.getUint16(2 * i, true)));
      } else {
        const low = view.getBigUint64(16 * i, true);
        const high = meta.signed ? view.getBigInt64(16 * i + 8, true) : view.getBigUint64(16 * i + 8, true);
        const value = (high << 64n) + low;
        values.push(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString());
      }
    }
    return attr.shape === null || attr.shape.length === 0 ? values[0] : reshape(values, attr.shape);
  } finally {
    module._free(pointer);
  }
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function reshape(values: AttributeValue[], shape: number[]): AttributeValue {
  if (shape.length <= 1) return values;
  const step = values.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => reshape(values.slice(i * step, (i + 1) * step), shape.slice(1)));
}

function firstLineOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** An object reference as h5dump names it: `DATASET "/dset"`, `GROUP "/g"`; a null reference as null. */
function referenceWords(module: H5Module, fileId: bigint): (ref: { ref_data: Uint8Array }, region: boolean) => string | null {
  return (ref, region) => {
    if (ref.ref_data.every((byte) => byte === 0)) return null;
    const name = safely(() => module.get_referenced_name(fileId, ref.ref_data, !region) as string | null);
    if (!name) return '<unresolvable reference>';
    const type = safely(() => module.get_type(fileId, name));
    const kind = type === module.H5G_GROUP ? 'GROUP' : type === module.H5G_DATASET ? 'DATASET' : type === module.H5G_TYPE ? 'DATATYPE' : 'OBJECT';
    return `${kind} ${JSON.stringify(name)}${region ? ' (region)' : ''}`;
  };
}

function toAttributeValue(value: unknown, describeReference?: (ref: { ref_data: Uint8Array }, region: boolean) => string | null): AttributeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map((item) => toAttributeValue(item, describeReference));
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, Number);
  if (typeof value === 'object' && value !== null && (value as { ref_data?: unknown }).ref_data instanceof Uint8Array) {
    // An object reference is an 8-byte address; a region reference (hdset_reg_ref_t) is 12 bytes.
    const ref = value as { ref_data: Uint8Array };
    return describeReference ? describeReference(ref, ref.ref_data.length !== 8) : '<object reference>';
  }
  return String(value);
}
