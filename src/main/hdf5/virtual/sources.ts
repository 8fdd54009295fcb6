import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { mayOpen } from '../confinement';
import { H5BlocksError } from '@shared/errors';
import type { VirtualOutput } from '@shared/virtual';
import { objectType, type H5Dataset, type H5File } from '../h5wasm';
import { ByteFile } from '../rawFormat';
import { readMappings } from './virtualLayout';

export interface VirtualSourceFile {
  /** As the mapping names it (relative names are relative to the virtual dataset's file). */
  file: string;
  dataset: string;
  /** Where that is on disk, by the rule HDF5 follows for a relative name: beside the file. */
  resolved: string;
  missing: boolean;
}

/** A source file name as HDF5 finds it for a mapping in `file`: absolute as is, relative beside the file. */
export function resolveSource(file: string, source: string): string {
  return isAbsolute(source) ? source : resolve(dirname(file), source);
}

/**
 * The distinct source files of a virtual dataset and which are missing, read
 * from the file's bytes (no HDF5 open, so a missing source cannot turn into
 * silent fill values). Undefined when the dataset is not virtual or the file
 * cannot be read this way.
 */
export function virtualSources(filePath: string, datasetPath: string): VirtualSourceFile[] | undefined {
  let file: ByteFile | undefined;
  try {
    file = new ByteFile(filePath);
    const mappings = readMappings(file, datasetPath);
    if (!mappings) return undefined;
    const seen = new Map<string, VirtualSourceFile>();
    for (const mapping of mappings) {
      if (seen.has(mapping.file)) continue;
      const resolved = mapping.file === '.' ? filePath : resolveSource(filePath, mapping.file);
      seen.set(mapping.file, { file: mapping.file, dataset: mapping.dataset, resolved, missing: !existsSync(resolved) });
    }
    return [...seen.values()];
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}

/**
 * Every virtual dataset of an open file and its distinct source files, with
 * which are missing (for Save As and the app's list of virtual outputs).
 */
export function listVirtualDatasets(h5file: H5File, filePath: string): VirtualOutput[] {
  const found: VirtualOutput[] = [];
  for (const name of h5file.paths()) {
    const path = name.startsWith('/') ? name : `/${name}`;
    let entity;
    try {
      entity = h5file.get(path);
    } catch {
      continue;
    }
    if (objectType(entity) !== 'Dataset') continue;
    const sources = (entity as H5Dataset).metadata.virtual_sources ?? [];
    if (sources.length === 0) continue;
    const files = [...new Set(sources.map((s) => s.file_name).filter((f) => f !== '.'))];
    found.push({
      dataset: path,
      sources: files.map((file) => {
        const resolved = resolveSource(filePath, file);
        return { file, resolved, missing: !existsSync(resolved) };
      }),
    });
  }
  return found;
}

/** One line naming the virtual dataset and its missing source files (HDF5 would read fill values in their place). */
export function missingSources(name: string, file: string, path: string, missing: string[]): H5BlocksError {
  const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
  return new H5BlocksError('not-found', `${name}: ${path}: ${missing.length} of its virtual dataset's source files are missing (${shown}); put them back (the shard folder moves with the file) before reading or materializing it`, { file, object: path });
}

/** Refuses to read a virtual dataset whose sources are missing: its values would silently be fill values. */
export function checkSourcesPresent(filePath: string, path: string, meta: H5Dataset['metadata']): void {
  const files = [...new Set((meta.virtual_sources ?? []).map((s) => s.file_name).filter((f) => f !== '.'))];
  // Under `serve`, a source outside the served folders is refused by name before any read: HDF5 would
  // give fill values in its place (and once it failed to open a source, it does not say so again).
  const outside = files.filter((f) => !mayOpen(resolveSource(filePath, f)));
  if (outside.length > 0) {
    const shown = outside.slice(0, 3).map((f) => resolveSource(filePath, f)).join(', ') + (outside.length > 3 ? ` and ${outside.length - 3} more` : '');
    throw new H5BlocksError('forbidden', `${basename(filePath)}: ${path}: its virtual dataset's source ${shown} lies outside the folders this server may open; its values were not read`, { file: filePath, object: path });
  }
  const missing = files.filter((f) => !existsSync(resolveSource(filePath, f)));
  if (missing.length > 0) throw missingSources(basename(filePath), filePath, path, missing);
}
