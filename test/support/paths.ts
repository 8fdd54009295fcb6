import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's own HDF5 test files (see test/fixtures/README.md; the h5py-written ones come from its make_corpus.py). */
export const corpusDir = resolve(projectRoot, 'test/fixtures');
export const cliScript = resolve(projectRoot, 'bin/h5blocks.js');
/** Debian's python: it has h5py and numpy (the `python3` on PATH does not). */
export const systemPython = '/usr/bin/python3';

export function corpusFile(name: string): string {
  return resolve(corpusDir, name);
}
