import { basename, posix } from 'node:path';
import { getEntity } from './entities';
import { declaredDtype } from './dtypes';
import { declaredAttributes, declaredDataset } from './rawFormat';
import { loadH5, type H5File, type H5Module } from './h5wasm';
import { objectHeaderAddress } from './storedType';

/**
 * The whole tree below `path`: every entity, groups with their children described in full.
 *
 * Walked as libhdf5's visitors walk a file: an object reached again through
 * another hard link (a cycle, or one dataset under two names) is described
 * once, where it is first met; later occurrences are `hardLinkTo` that path
 * (h5dump's HARDLINK) and never walked again, so nothing loops. An object that
 * cannot be described (a user-defined link, a type or header h5wasm cannot
 * read) is `unreadable` with the reason, and the rest of the file shows.
 */
export async function readTree(file: H5File, path = '/'): Promise<Record<string, unknown>> {
  const { module } = await loadH5();
  return walk(file, module, path, new Map());
}

async function walk(file: H5File, module: H5Module, path: string, seen: Map<number, string>): Promise<Record<string, unknown>> {
  let entity;
  try {
    entity = await getEntity(file, path);
  } catch (error) {
    if (path === '/') throw error;
    return declaredDatasetNode(file, path, reasonOf(error, file, path))
      ?? { kind: 'unreadable', path, name: posix.basename(path), reason: reasonOf(error, file, path) };
  }
  if (entity.kind === 'group' || entity.kind === 'dataset' || entity.kind === 'datatype') {
    const address = objectHeaderAddress(module, file, path);
    if (address !== undefined) {
      const first = seen.get(address);
      if (first !== undefined) return { kind: entity.kind, path, name: entity.name, hardLinkTo: first };
      seen.set(address, path);
    }
  }
  if (entity.kind !== 'group') return { ...entity };
  const children = [];
  for (const child of entity.children) children.push(await walk(file, module, child.path, seen));
  return { ...entity, children };
}

/**
 * A dataset the HDF5 library refuses to open, as its header declares it (its
 * shape, type class and size, its attributes' names), with the reason it
 * cannot be read: what it is stays visible, as h5py and h5dump show it.
 */
function declaredDatasetNode(file: H5File, path: string, reason: string): Record<string, unknown> | undefined {
  const declared = declaredDataset(file.filename, path);
  if (!declared) return undefined;
  const attributes = (declaredAttributes(file.filename, path) ?? []).map((a) => ({
    name: a.name, shape: a.shape === null ? null : a.shape.map(Number),
    dtype: { class: 'unknown', size: 0, description: 'unknown' }, value: '<not read: its dataset cannot be opened>',
  }));
  return {
    kind: 'dataset', path, name: posix.basename(path), unreadable: reason,
    shape: declared.shape === null ? null : declared.shape.map(Number),
    dtype: declaredDtype(declared.typeClass, declared.typeSize), attributes,
  };
}

/** The error's words without the "file: object: " they start with (the tree names the object already). */
function reasonOf(error: unknown, file: H5File, path: string): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const prefix = `${basename(file.filename)}: ${path}: `;
  const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return reason.replace(/^cannot read: /, '');
}
