import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
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
