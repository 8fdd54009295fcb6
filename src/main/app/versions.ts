import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface LibraryVersions {
  h5wasm: string;
  hdf5: string;
}

let cached: LibraryVersions | undefined;

/**
 * h5wasm's version from its package.json, and the version of the HDF5 library
 * compiled into it. h5wasm has no call that returns the latter, but HDF5 embeds
 * its build settings ("HDF5 Version: 2.0.0") as text in the module, so it is
 * read from there rather than kept in a table that would go stale.
 */
export function libraryVersions(): LibraryVersions {
  if (cached) return cached;
  const folder = h5wasmFolder();
  if (!folder) return (cached = { h5wasm: 'unknown', hdf5: 'unknown' });
  let h5wasm = 'unknown';
  try {
    h5wasm = String((JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    // Left as unknown: the About box still opens.
  }
  let hdf5 = 'unknown';
  try {
    const glue = readFileSync(join(folder, 'dist', 'node', 'hdf5_util.js'), 'latin1');
    hdf5 = /HDF5 Version: (\d+\.\d+\.\d+[\w.-]*)/.exec(glue)?.[1] ?? 'unknown';
  } catch {
    // As above.
  }
  return (cached = { h5wasm, hdf5 });
}

// h5wasm's package exports only its modules (not package.json, and only for
// `import`), so require.resolve cannot find it; look where Node would.
function h5wasmFolder(): string | undefined {
  const require = createRequire(import.meta.url);
  for (const modules of require.resolve.paths('h5wasm') ?? []) {
    const folder = join(modules, 'h5wasm');
    if (existsSync(join(folder, 'package.json'))) return folder;
  }
  return undefined;
}
