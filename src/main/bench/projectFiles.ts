import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file shipped in the project tree (the Python baselines in `bench/`, the
 * CLI launcher in `bin/`). The code asking runs bundled from `out/main` or
 * from `src/main/bench` under vitest, so look upwards from it.
 */
export function projectFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`${relative} not found beside the h5blocks installation`);
}
