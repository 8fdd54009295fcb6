import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix } from 'node:path';
import type { Metadata } from 'h5wasm';
import type {
  Attribute, AttributeValue, ChildSummary, DatasetEntity, Entity, EntityKind, ExternalSource, Filter, Layout,
} from '../../shared/entities';
import { H5BlocksError } from '../../shared/errors';
import { describeDtype } from './dtypes';
import { externalStorageFiles, storedLayout } from './layout';
import { resolveSource } from './virtual/sources';
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
    if (linkKind === undefined) throw new H5BlocksError('not-found', `${basename(file.filename)}: ${path}: no such object`, { file: file.filename, object: path });
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
        attributes: readAttributes(entity as unknown as { attrs: Record<string, H5Attribute> }),
        children: listChildren(file, module, path),
      };
    case 'Dataset':
      return describeDataset(entity as H5Dataset, path, file.filename, name);
    case 'Datatype':
      return {
        kind: 'datatype', path, name,
        dtype: describeDtype((entity as unknown as { metadata: Metadata }).metadata),
        attributes: readAttributes(entity as unknown as { attrs: Record<string, H5Attribute> }),
      };
    default:
      throw new H5BlocksError('hdf5', `${file.filename}: ${path}: unsupported object type ${objectType(entity)}`, { file: file.filename, object: path });
  }
}

export function describeDataset(dataset: H5Dataset, path: string, filePath?: string, name = posix.basename(path)): DatasetEntity {
  const meta = dataset.metadata;
  const elements = meta.shape ? meta.shape.reduce((a, b) => a * b, 1) : 0;
  const stored = filePath && meta.shape && meta.shape.length > 0 ? storedLayout(filePath, path) : {};
  return {
    kind: 'dataset', path, name,
    shape: meta.shape,
    maxShape: meta.maxshape,
    dtype: describeDtype(meta),
    layout: layoutOf(meta, stored.layout),
    chunks: meta.chunks,
    filters: dataset.filters.map((f): Filter => ({ id: f.id, name: f.name, cdValues: f.cd_values })),
    attributes: readAttributes(dataset as unknown as { attrs: Record<string, H5Attribute> }),
    memoryBytes: elements * meta.size,
    ...(stored.storageBytes !== undefined ? { storageBytes: stored.storageBytes } : {}),
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
    sources.push({ kind: 'virtual-source', file: source.file_name, dataset: source.dset_name, ...(missing !== undefined ? { missing } : {}) });
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
  return names.map((childName) => ({
    name: childName,
    path: path === '/' ? `/${childName}` : `${path}/${childName}`,
    kind: childKind(file, module, path, childName) ?? 'broken-link',
  }));
}

interface H5Attribute {
  name: string;
  shape: number[] | null;
  metadata: Metadata;
  json_value: unknown;
}

function readAttributes(owner: { attrs: Record<string, H5Attribute> }): Attribute[] {
  const attrs = owner.attrs;
  return Object.keys(attrs).map((name) => {
    const attr = attrs[name];
    let value: AttributeValue;
    try {
      value = toAttributeValue(attr.json_value);
    } catch (error) {
      value = `<unreadable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}>`;
    }
    return { name, shape: attr.shape, dtype: describeDtype(attr.metadata), value };
  });
}

function toAttributeValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toAttributeValue);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, Number);
  return String(value);
}
